"""docs/trainer.md stays true: its walk from `pull` to a PyTorch DataLoader is under 30 lines and runs."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _dataloader_block() -> str:
    guide = (REPO / "docs" / "trainer.md").read_text()
    section = guide.split("## From `pull` to a PyTorch DataLoader", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_dataloader_walkthrough_is_under_30_lines():
    assert len(_dataloader_block().strip().splitlines()) < 30


def test_the_dataloader_walkthrough_runs_on_a_run(local_run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(_dataloader_block().replace("out/demo", str(local_run)), "docs/trainer.md", "exec"), scope)
    batch = scope["batch"]
    assert tuple(batch["input_ids"].shape) == tuple(batch["document_ids"].shape) == (2, 512)
    assert (batch["document_ids"][:, 0] == 0).all()
