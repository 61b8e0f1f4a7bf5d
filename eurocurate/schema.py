"""Names shared by every stage: document metadata keys, reason codes, stat labels and output columns.

A key or reason code is defined here once and imported everywhere else, so that the ledger, the
provenance table and `eurocurate verify` agree on spelling. Nothing here does any work. A new stage
does not edit this file: it declares its own reason codes and provenance columns where it registers
(`@register_stage(reasons=..., provenance_columns=...)`, see `eurocurate.registry`).
"""

from __future__ import annotations

from typing import Final

# The 24 official languages of the EU (ISO 639-1).
EU24: Final[tuple[str, ...]] = (
    "bg", "hr", "cs", "da", "nl", "en", "et", "fi", "fr", "de", "el", "hu",
    "ga", "it", "lv", "lt", "mt", "pl", "pt", "ro", "sk", "sl", "es", "sv",
)  # fmt: skip


class Meta:
    """Keys of `Document.metadata`. Each is written by exactly one stage."""

    # ingest
    SOURCE_PATH: Final = "source_path"  # input file, relative to the input root
    SOURCE_OFFSET: Final = "source_offset"  # byte offset of the record in the (compressed) file
    WARC_RECORD_ID: Final = "warc_record_id"
    URL: Final = "url"
    FETCH_DATE: Final = "fetch_date"  # WARC-Date, ISO 8601
    CRAWL: Final = "crawl"  # Common Crawl crawl id (CC-MAIN-2024-10) in the input's path; robots.txt pairs by it
    CONTENT_TYPE: Final = "content_type"
    HTTP_STATUS: Final = "http_status"
    CHARSET: Final = "charset"  # charset the payload was decoded with
    CHARSET_ORIGIN: Final = "charset_origin"  # utf-8 | bom | meta | http | detected | utf-8-replaced
    ORDER_KEY: Final = "order_key"  # total order of documents in the input, for "keep first" decisions
    INPUT_FORMAT: Final = (
        "input_format"  # warc | arc | html | text | jsonl | parquet | pdf | akoma_ntoso | formex | docx
    )
    AUTHOR: Final = "author"  # author the document declares (PDF Info/XMP, DOCX core properties)
    SOURCE_ID: Final = "source_id"  # the `id` a re-read dataset row carried (JSONL/Parquet); doc ids stay ours
    SOURCE_METADATA: Final = "source_metadata"  # the `metadata` object of a re-read dataset row, kept as given
    DECLARED_FORMAT: Final = "declared_format"  # the format a file's name said when its bytes are another (sniff.py)
    EMBEDDED_TDM: Final = "embedded_tdm"  # {"tdm-reservation": [..], "tdm-policy": [..]} from PDF XMP/Info (TDMRep)
    # sources.yaml / spec `source:` block
    SOURCE_CATEGORY: Final = "source_category"
    LICENCE: Final = "licence"
    PUBLISHER: Final = "publisher"
    # extraction
    TITLE: Final = "title"
    HTML_LANG: Final = "html_lang"
    CANONICAL_URL: Final = "canonical_url"
    LICENCE_LINKS: Final = "licence_links"  # rel=license targets, resolved against the page URL
    PUBLISHED: Final = "published"  # publication date as the page states it
    # language identification
    LANG: Final = "lang"
    LANG_SCORE: Final = "lang_score"
    LANG_SHARES: Final = "lang_shares"  # {lang: share of the document's characters}
    # quality
    QUALITY: Final = "quality"  # dict of named statistics, stored so trainers can re-threshold
    # opt-out
    OPTOUT: Final = "optout"  # dict: decision per protocol and the evidence that decided
    HTTP_HEADERS: Final = "http_headers"  # the response headers opt-out protocols read (lower-case names)
    # personal data
    PII_COUNTS: Final = "pii_counts"  # {type: replaced values}
    PII_CANDIDATES: Final = "pii_candidates"  # {type: identifier-shaped strings whose checksum failed, left alone}
    PII_FINGERPRINTS: Final = "pii_fingerprints"  # ["TYPE:hmac-sha256 hex"], keyed, for erasure requests
    PII_KEY_ID: Final = (
        "pii_key_id"  # public id of the key that made the fingerprints (pii.step.key_id), as the task read it
    )
    # dedup
    CONTENT_HASH: Final = "content_hash"
    DEDUP_CLUSTER_ID: Final = "dedup_cluster_id"  # doc_id of the cluster's kept document
    DEDUP_CLUSTER_SIZE: Final = "dedup_cluster_size"  # documents in the near-duplicate cluster (1: unique)
    EXACT_COPIES: Final = "exact_copies"  # exact copies of a kept document that exact dedup dropped
    # outputs
    TEXT_SHARD: Final = "text_shard"
    TEXT_ROW: Final = "text_row"
    N_TOKENS: Final = "n_tokens"
    TOKEN_SHARD: Final = "token_shard"
    TOKEN_ROW: Final = "token_row"
    # drop bookkeeping (set by a stage just before it drops the document)
    DROP_REASON: Final = "filter_reason"  # the key datatrove's BaseFilter uses
    DROP_EVIDENCE: Final = "drop_evidence"


class Reason:
    """Reason codes of the exclusion ledger: `<stage family>.<what>`; evidence carries the measured value."""

    WARC_TRUNCATED: Final = "ingest.truncated_record"
    WARC_CORRUPT: Final = "ingest.corrupt_record"
    WARC_REVISIT: Final = "ingest.revisit_record"
    NON_HTML: Final = "ingest.non_html_payload"
    EMPTY_PAYLOAD: Final = "ingest.empty_payload"
    HTTP_STATUS: Final = "ingest.http_status"
    UNDECODABLE: Final = "ingest.undecodable"
    EXTRACTION_EMPTY: Final = "extract.no_main_text"
    EXTRACTION_FAILED: Final = "extract.failed"
    EXTRACTION_TIMEOUT: Final = "extract.timeout"  # the page took longer than the extractor's timeout_s
    EXTRACTION_TOO_DEEP: Final = "extract.too_deep"  # elements nested deeper than the extractor's max_depth
    LANG_NOT_EU: Final = "langid.not_eu24"
    LANG_NOT_SELECTED: Final = "langid.not_selected"
    LANG_LOW_SCORE: Final = "langid.low_score"
    # quality drops are `<family>.<rule>`, e.g. quality.gopher_quality.stop_words (rules in filters/quality/rules.py)
    QUALITY_GOPHER_REPETITION: Final = "quality.gopher_repetition"
    QUALITY_GOPHER: Final = "quality.gopher_quality"
    QUALITY_C4: Final = "quality.c4"
    QUALITY_FINEWEB: Final = "quality.fineweb"
    QUALITY_MODEL: Final = "quality.model_score"
    EXACT_DUPLICATE: Final = "dedup.exact_duplicate"
    NEAR_DUPLICATE: Final = "dedup.near_duplicate"
    IN_EARLIER_RELEASE: Final = "dedup.in_earlier_release"
    URL_DUPLICATE: Final = "dedup.url_duplicate"
    OPTOUT_ROBOTS: Final = "optout.robots_txt"
    OPTOUT_ROBOTS_UNREACHABLE: Final = "optout.robots_unreachable"
    OPTOUT_TDMREP: Final = "optout.tdmrep"
    OPTOUT_NOAI: Final = "optout.noai"
    OPTOUT_AIPREF: Final = "optout.aipref"
    SUPPRESSED: Final = "optout.suppression_list"
    SUPPRESSED_SUBJECT: Final = "pii.suppressed_subject"  # contains an identifier under an erasure request
    ERASURE_REQUEST: Final = "erasure.request"
    STAGE_ERROR: Final = "error.stage_exception"
    # readers of non-WARC inputs and the per-document limits of the document reader
    WARC_LYING_LENGTH: Final = "ingest.lying_content_length"  # the block does not end where Content-Length says
    OVERSIZE: Final = "ingest.oversize"  # record, row, file or PDF text above the reader's max_bytes
    PARSE_TIMEOUT: Final = "ingest.parse_timeout"  # PDF/XML parsing exceeded the reader's time limit
    PDF_ENCRYPTED: Final = "ingest.pdf_encrypted"
    PDF_CORRUPT: Final = "ingest.pdf_corrupt"
    PDF_NO_PAGES: Final = "ingest.pdf_no_pages"  # a PDF PDFium reads whose page tree holds no page
    NOT_PDF: Final = "ingest.not_a_pdf"  # a `.pdf` whose bytes are no PDF, nor HTML or text to read instead
    XML_MALFORMED: Final = "ingest.malformed_xml"
    XML_UNSUPPORTED: Final = "ingest.unsupported_xml"  # well-formed, but neither Akoma Ntoso nor Formex
    XML_ENTITIES: Final = "ingest.unresolved_xml_entity"  # external, undeclared, looping or amplifying past the limit
    INPUT_MISSING: Final = "ingest.missing_input"  # a listed input file the store no longer holds
    CORRUPT_FILE: Final = "ingest.corrupt_file"  # unreadable container: broken zip (DOCX), gzip/zstd, Parquet
    MALFORMED_ROW: Final = "ingest.malformed_row"  # a JSONL line that is not a JSON object
    NO_TEXT_FIELD: Final = "ingest.no_text_field"  # a dataset row without a string `text`
    NO_TEXT: Final = "ingest.no_text"  # parsed, but no text in it (scanned PDF, metadata-only XML)
    URL_IN_EARLIER_RELEASE: Final = "dedup.url_in_earlier_release"  # normalised URL published by an earlier release


class Stat:
    """Counter labels. `total`/`forwarded`/`dropped` are datatrove's `StatHints`; per-reason drops are
    `dropped_<reason>` as datatrove's BaseFilter writes them."""

    TOTAL: Final = "total"
    FORWARDED: Final = "forwarded"
    DROPPED: Final = "dropped"
    DROPPED_PREFIX: Final = "dropped_"
    OTHER_RECORDS: Final = "warc_records_not_documents"  # warcinfo/request/metadata: not documents
    FORMEX_DESCRIPTORS: Final = "formex_doc_descriptors"  # a Formex `.doc.xml` (root DOC): lists a package's files


# Columns of the exclusion ledger (OUT/exclusions/*.parquet).
LEDGER_COLUMNS: Final[tuple[str, ...]] = (
    "doc_id", "warc_record_id", "url", "source_path", "source_offset", "stage", "reason", "evidence", "lang",
)  # fmt: skip

# Columns of the text shards (OUT/text/<lang>/*.parquet): FineWeb-2's, with its meanings, then this project's.
# `id` is the document id the token shards, provenance and the ledger call `doc_id`.
TEXT_ID: Final = "id"
TEXT_COLUMNS: Final[tuple[str, ...]] = (
    TEXT_ID, "text", "url", "date", "dump", "file_path", "language", "language_score", "language_script",
    "top_langs", "minhash_cluster_size", "token_count",
    "warc_record_id", "title", "source_category",
)  # fmt: skip
