"""Sizes and bounds of reading: how much is read at a time, sniffed, or held at most."""

DEFAULT_GLOB = "*.jsonl,*.ndjson,*.json,*.txt,*.md,*.csv,*.tsv,*.parquet"
CONTAINERS = ("text", "jsonl", "json", "csv", "tsv", "parquet")
SCHEMAS = ("chat", "sharegpt", "instruction", "prompt-completion", "question-answer")
FORMATS_IN = ("auto", *CONTAINERS, *SCHEMAS)


# Bytes read at a time from text files. Small blocks keep peak memory low: the
# tokenizer's working memory grows with the size of each batch of lines (measured:
# toktok on 2 threads, 74 MB at rest -> 105 MB with 256 KiB batches, 150 MB with 1 MiB,
# 213 MB with 4 MiB). A whole file streamed through count_chunks reads WHOLE_BLOCK.
BLOCK = 512 << 10
WHOLE_BLOCK = 4 << 20
HEAD = 64 << 10  # bytes sniffed to detect the format
CHUNK_TARGET = 4 << 10  # characters per sampling unit when a whole text file is sampled
# The largest single record (a JSONL/text line, a CSV row, a JSON array element) read,
# so that memory stays bounded whatever the input; larger ones are bad records.
MAX_RECORD_BYTES = 32 << 20
