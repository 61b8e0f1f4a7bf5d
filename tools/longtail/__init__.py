"""The long-tail language set: registry artefacts (pinned, cached), the readers of their texts, and the
labelled dev/unseen split built from them (`python -m eurocurate.tools.longtail_set`)."""
