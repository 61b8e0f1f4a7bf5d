"""The run lock on object storage, against a real SeaweedFS: one holder at a time, stale leases taken over."""

from __future__ import annotations

import time

import pytest

from eurocurate.object_lock import ObjectLock, OutputLocked


def test_a_second_run_is_refused_while_the_first_holds_the_lease_and_admitted_after_release(s3):
    out = f"{s3}/out"
    first = ObjectLock(out, "first").acquire()
    with pytest.raises(OutputLocked, match="run first"):
        ObjectLock(out, "second").acquire()
    first.release()
    with ObjectLock(out, "second"):
        pass


def test_a_lease_whose_holder_died_is_taken_over_once_expired(s3):
    out = f"{s3}/out"
    dead = ObjectLock(out, "dead", lease_s=0.5).acquire()
    dead._stop.set()  # its process died: no more renewals, no release
    dead._renewer.join()
    with pytest.raises(OutputLocked):
        ObjectLock(out, "early", lease_s=0.5).acquire()
    time.sleep(0.6)
    with ObjectLock(out, "heir", lease_s=30) as heir:
        assert not heir.lost


def test_a_live_holder_keeps_its_lease_by_renewing_it(s3):
    out = f"{s3}/out"
    with ObjectLock(out, "long", lease_s=1.5) as holder:
        time.sleep(3.5)  # past two lease lengths: only its renewals (every 0.5 s) keep it
        with pytest.raises(OutputLocked):
            ObjectLock(out, "other").acquire()
        assert not holder.lost


def test_a_holder_whose_lease_was_taken_over_notices_and_leaves_the_new_lease_alone(s3):
    out = f"{s3}/out"
    slow = ObjectLock(out, "slow", lease_s=0.5).acquire()
    slow._stop.set()
    slow._renewer.join()
    time.sleep(0.6)
    heir = ObjectLock(out, "heir", lease_s=30).acquire()
    assert slow._put(IfMatch=slow._etag) is None  # what its next renewal finds: the object is no longer its own
    slow.lost = True
    slow.release()  # must not delete the heir's lease
    with pytest.raises(OutputLocked, match="run heir"):
        ObjectLock(out, "third").acquire()
    heir.release()
