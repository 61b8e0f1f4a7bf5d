"""Hand-over between fused map stages across a barrier: one Parquet file per task, read back by the same rank.

Columns: `id`, `text`, `metadata` (JSON) and the few keys barriers read without parsing JSON
(`content_hash`, `order_key`, `lang`). Files are published atomically, so a task killed midway
leaves nothing that a resumed run could mistake for its output.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from eurocurate.files import StreamingParquet
from eurocurate.pipelines.engine.progress import Heartbeat
from eurocurate.schema import Meta

INTERMEDIATE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("text", pa.large_string()),
        ("metadata", pa.large_string()),
        (Meta.CONTENT_HASH, pa.string()),
        (Meta.ORDER_KEY, pa.string()),
        (Meta.LANG, pa.string()),
    ]
)


def intermediate_path(data_dir: str | Path, rank: int) -> Path:
    return Path(data_dir) / f"{rank:05d}.parquet"


class IntermediateWriter(PipelineStep):
    """Last step of a map group that precedes a barrier."""

    name = "intermediate_writer"
    type = "💽 - WRITER"

    def __init__(self, data_dir: str):
        super().__init__()
        self.data_dir = data_dir

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        out = StreamingParquet(intermediate_path(self.data_dir, rank), INTERMEDIATE_SCHEMA, flush_rows=1024)
        try:
            for doc in data:
                md = doc.metadata
                out.append(
                    {
                        "id": doc.id,
                        "text": doc.text,
                        "metadata": orjson.dumps(md).decode(),
                        Meta.CONTENT_HASH: md.get(Meta.CONTENT_HASH),
                        Meta.ORDER_KEY: md.get(Meta.ORDER_KEY),
                        Meta.LANG: md.get(Meta.LANG),
                    }
                )
                self.stat_update("documents_written")
                yield doc
        except BaseException:
            out.abort()
            raise
        out.close()


class IntermediateReader(PipelineStep):
    """First step of a map group that follows a barrier: reads what the same rank wrote before it."""

    name = "intermediate_reader"
    type = "📖 - READER"

    def __init__(self, data_dir: str, work_dir: str, batch_rows: int = 1024):
        super().__init__()
        self.data_dir = data_dir
        self.work_dir = work_dir
        self.batch_rows = batch_rows

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        path = intermediate_path(self.data_dir, rank)
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: the stage before the barrier did not finish rank {rank}")
        pf = pq.ParquetFile(path)
        beat = Heartbeat(self.work_dir, rank, total=pf.metadata.num_rows)
        done = 0
        for batch in pf.iter_batches(batch_size=self.batch_rows, columns=["id", "text", "metadata"]):
            for doc_id, text, md in zip(
                batch["id"].to_pylist(), batch["text"].to_pylist(), batch["metadata"].to_pylist()
            ):
                done += 1
                beat.update(docs=1, done=done)
                self.stat_update("documents_read")
                yield Document(text=text, id=doc_id, metadata=orjson.loads(md))
        beat.finish()
