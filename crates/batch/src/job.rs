//! A batch job: input files registered as tables, one SQL query, its result
//! streamed batch by batch into Parquet (default), CSV or JSON Lines, with the
//! versions the rows were screened with in the file's metadata.
//!
//! The result is written to `<output>.partial` and renamed when complete: a
//! failed job leaves no output behind. Rows are never held in memory beyond
//! the engine's record batches.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema as ArrowSchema, SchemaRef};
use datafusion::arrow::json::LineDelimitedWriter;
use datafusion::error::DataFusionError;
use datafusion::execution::context::SessionContext;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::metadata::KeyValue;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::prelude::{CsvReadOptions, JsonReadOptions, ParquetReadOptions};
use futures::StreamExt;

use crate::error::{BatchError, Result};
use crate::screening::Versions;

/// Formats of input files, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Parquet,
    Csv,
    /// JSON Lines (`.jsonl`, `.ndjson`, `.json`): one object per line.
    JsonLines,
}

impl InputFormat {
    pub fn of(path: &Path) -> Result<InputFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("parquet") => Ok(InputFormat::Parquet),
            Some("csv") => Ok(InputFormat::Csv),
            Some("jsonl" | "ndjson" | "json") => Ok(InputFormat::JsonLines),
            _ => Err(BatchError::UnsupportedFormat {
                path: path.to_path_buf(),
            }),
        }
    }
}

/// Formats of the result file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Parquet,
    /// Nested columns (hits, findings) are written as JSON text.
    Csv,
    JsonLines,
}

impl OutputFormat {
    /// By extension; Parquet unless `.csv` or `.jsonl`/`.ndjson`/`.json`.
    pub fn of(path: &Path) -> OutputFormat {
        match InputFormat::of(path) {
            Ok(InputFormat::Csv) => OutputFormat::Csv,
            Ok(InputFormat::JsonLines) => OutputFormat::JsonLines,
            _ => OutputFormat::Parquet,
        }
    }
}

fn extension_of(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| format!(".{e}"))
        .unwrap_or_default()
}

/// Register `path` as table `name` (format by extension). The path must exist
/// and be readable here (and, on a cluster, at the same path on every executor).
pub async fn register_input(ctx: &SessionContext, name: &str, path: &Path) -> Result<()> {
    let format = InputFormat::of(path)?;
    let input_err = |message: String| BatchError::Input {
        path: path.to_path_buf(),
        message,
    };
    if !path.is_file() {
        return Err(input_err("no such file".into()));
    }
    let location = path
        .canonicalize()
        .map_err(|e| input_err(e.to_string()))?
        .to_string_lossy()
        .into_owned();
    let ext = extension_of(path);
    let registered = match format {
        InputFormat::Parquet => {
            let options = ParquetReadOptions::default().file_extension(&ext);
            ctx.register_parquet(name, &location, options).await
        }
        InputFormat::Csv => {
            let options = CsvReadOptions::new().has_header(true).file_extension(&ext);
            ctx.register_csv(name, &location, options).await
        }
        InputFormat::JsonLines => {
            let options = JsonReadOptions::default().file_extension(&ext);
            ctx.register_json(name, &location, options).await
        }
    };
    registered.map_err(|e| read_error(path, &e))
}

/// Rows of an input file: from the Parquet footer, or by counting lines
/// (CSV without its header). For progress only.
pub fn count_rows(path: &Path) -> Result<u64> {
    let io = |e| BatchError::io(format!("counting rows of {}", path.display()), e);
    match InputFormat::of(path)? {
        InputFormat::Parquet => {
            let file = File::open(path).map_err(io)?;
            let reader = datafusion::parquet::file::reader::SerializedFileReader::new(file)
                .map_err(|e| BatchError::Input {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
            use datafusion::parquet::file::reader::FileReader;
            Ok(reader.metadata().file_metadata().num_rows().max(0) as u64)
        }
        format => {
            let mut reader = BufReader::with_capacity(1 << 20, File::open(path).map_err(io)?);
            let mut lines = 0u64;
            let mut last = b'\n';
            loop {
                let buf = reader.fill_buf().map_err(io)?;
                if buf.is_empty() {
                    break;
                }
                lines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
                last = buf[buf.len() - 1];
                let n = buf.len();
                reader.consume(n);
            }
            if last != b'\n' {
                lines += 1;
            }
            Ok(if format == InputFormat::Csv {
                lines.saturating_sub(1)
            } else {
                lines
            })
        }
    }
}

/// A failure of the engine while reading `path`, with the file line: as the
/// CSV reader gives it (`line N`), or for JSON Lines (whose reader names no
/// line) the first line that is not a JSON object.
pub fn read_error(path: &Path, e: &DataFusionError) -> BatchError {
    let message = e.to_string();
    let line = match InputFormat::of(path) {
        Ok(InputFormat::JsonLines) => first_bad_json_line(path),
        _ => message.rsplit("line ").next().and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u64>().ok()
        }),
    };
    BatchError::Read {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// The number of the first non-blank line of a JSON Lines file that is not a
/// JSON object (read only after the engine failed on the file).
fn first_bad_json_line(path: &Path) -> Option<u64> {
    let reader = BufReader::new(File::open(path).ok()?);
    for (i, line) in reader.split(b'\n').enumerate() {
        let line = line.ok()?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let ok = serde_json::from_slice::<serde_json::Value>(&line).is_ok_and(|v| v.is_object());
        if !ok {
            return Some(i as u64 + 1);
        }
    }
    None
}

/// Progress of a running job.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Result rows written so far.
    pub rows: u64,
    /// Input rows, when known (for the shorthands, one result row per input row).
    pub total: Option<u64>,
    pub elapsed: Duration,
}

/// What a finished job did.
#[derive(Debug, Clone)]
pub struct JobSummary {
    pub rows: u64,
    pub batches: u64,
    pub elapsed: Duration,
    pub output: PathBuf,
}

enum Writer {
    Parquet(ArrowWriter<File>),
    Csv(datafusion::arrow::csv::Writer<BufWriter<File>>),
    Json(LineDelimitedWriter<BufWriter<File>>),
}

fn is_nested(t: &DataType) -> bool {
    matches!(
        t,
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::ListView(_)
            | DataType::FixedSizeList(_, _)
            | DataType::Struct(_)
            | DataType::Map(_, _)
    )
}

/// The batch with nested columns as JSON text (CSV has no nested values).
fn flatten_for_csv(
    batch: &RecordBatch,
) -> Result<RecordBatch, datafusion::arrow::error::ArrowError> {
    let schema = batch.schema();
    if !schema.fields().iter().any(|f| is_nested(f.data_type())) {
        return Ok(batch.clone());
    }
    let mut fields = Vec::with_capacity(schema.fields().len());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        if !is_nested(field.data_type()) {
            fields.push(field.as_ref().clone());
            columns.push(column.clone());
            continue;
        }
        // Write the column alone as JSON lines `{"name":value}` and keep the value.
        let single = RecordBatch::try_new(
            Arc::new(ArrowSchema::new(vec![Field::new(
                "v",
                field.data_type().clone(),
                true,
            )])),
            vec![column.clone()],
        )?;
        let mut buf = Vec::new();
        {
            let mut w = LineDelimitedWriter::new(&mut buf);
            w.write(&single)?;
            w.finish()?;
        }
        let text = String::from_utf8_lossy(&buf);
        let values: StringArray = text
            .lines()
            .map(|l| {
                l.strip_prefix("{\"v\":")
                    .and_then(|v| v.strip_suffix('}'))
                    .map(str::to_string)
            })
            .collect();
        if values.len() != column.len() {
            return Err(datafusion::arrow::error::ArrowError::ComputeError(format!(
                "column {}: JSON rendering gave {} values for {} rows",
                field.name(),
                values.len(),
                column.len()
            )));
        }
        fields.push(Field::new(field.name(), DataType::Utf8, true));
        columns.push(Arc::new(values));
    }
    RecordBatch::try_new(Arc::new(ArrowSchema::new(fields)), columns)
}

impl Writer {
    fn create(
        path: &Path,
        format: OutputFormat,
        schema: SchemaRef,
        versions: &Versions,
    ) -> Result<Writer> {
        let file = File::create(path)
            .map_err(|e| BatchError::io(format!("creating {}", path.display()), e))?;
        let out_err = |message: String| BatchError::Output {
            path: path.to_path_buf(),
            message,
        };
        Ok(match format {
            OutputFormat::Parquet => {
                let metadata = versions
                    .metadata()
                    .into_iter()
                    .map(|(k, v)| KeyValue::new(k, v))
                    .collect();
                let props = WriterProperties::builder()
                    .set_compression(Compression::ZSTD(ZstdLevel::default()))
                    .set_key_value_metadata(Some(metadata))
                    .build();
                Writer::Parquet(
                    ArrowWriter::try_new(file, schema, Some(props))
                        .map_err(|e| out_err(e.to_string()))?,
                )
            }
            OutputFormat::Csv => Writer::Csv(
                datafusion::arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(BufWriter::new(file)),
            ),
            OutputFormat::JsonLines => Writer::Json(LineDelimitedWriter::new(BufWriter::new(file))),
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), String> {
        match self {
            Writer::Parquet(w) => w.write(batch).map_err(|e| e.to_string()),
            Writer::Csv(w) => {
                let flat = flatten_for_csv(batch).map_err(|e| e.to_string())?;
                w.write(&flat).map_err(|e| e.to_string())
            }
            Writer::Json(w) => w.write(batch).map_err(|e| e.to_string()),
        }
    }

    fn finish(self) -> Result<(), String> {
        match self {
            Writer::Parquet(w) => w.close().map(|_| ()).map_err(|e| e.to_string()),
            Writer::Csv(w) => w.into_inner().flush().map_err(|e| e.to_string()),
            Writer::Json(mut w) => {
                w.finish().map_err(|e| e.to_string())?;
                w.into_inner().flush().map_err(|e| e.to_string())
            }
        }
    }
}

/// The versions, for formats without file metadata, next to the output.
pub fn sidecar_path(output: &Path) -> PathBuf {
    let mut name = output
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".versions.json");
    output.with_file_name(name)
}

/// A running job's output; removed on drop unless committed.
struct PartialOutput {
    partial: PathBuf,
    committed: bool,
}

impl Drop for PartialOutput {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// Where and how a job's result is written.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub path: &'a Path,
    pub format: OutputFormat,
    /// Written into the file's metadata (or the `.versions.json` next to it).
    pub versions: &'a Versions,
}

/// Run `sql` on `ctx` and write its result to `target`. `inputs` are the
/// files behind the tables, to name them in read errors.
pub async fn run_sql(
    ctx: &SessionContext,
    sql: &str,
    target: &Target<'_>,
    inputs: &[PathBuf],
    total: Option<u64>,
    on_progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<JobSummary> {
    let Target {
        path: output,
        format,
        versions,
    } = *target;
    let started = Instant::now();
    let engine_error = |e: DataFusionError| match inputs {
        [one] => read_error(one, &e),
        _ => BatchError::Engine(e),
    };
    let frame = ctx
        .sql(sql)
        .await
        .map_err(|e| BatchError::Query(e.to_string()))?;
    let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
    let mut stream = frame.execute_stream().await.map_err(engine_error)?;

    let mut partial_name = output
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    partial_name.push(".partial");
    let mut guard = PartialOutput {
        partial: output.with_file_name(partial_name),
        committed: false,
    };
    let out_err = |message: String| BatchError::Output {
        path: output.to_path_buf(),
        message,
    };
    // Created with the first batch's schema (the plan's may differ in nullability).
    let mut writer: Option<Writer> = None;
    let mut rows = 0u64;
    let mut batches = 0u64;
    let mut last_report = Instant::now();
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(engine_error)?;
        let w = match &mut writer {
            Some(w) => w,
            None => writer.insert(Writer::create(
                &guard.partial,
                format,
                batch.schema(),
                versions,
            )?),
        };
        w.write(&batch).map_err(out_err)?;
        rows += batch.num_rows() as u64;
        batches += 1;
        if last_report.elapsed() >= Duration::from_millis(200) {
            last_report = Instant::now();
            on_progress(&Progress {
                rows,
                total,
                elapsed: started.elapsed(),
            });
        }
    }
    let writer = match writer {
        Some(w) => w,
        None => Writer::create(&guard.partial, format, schema, versions)?,
    };
    writer.finish().map_err(out_err)?;
    if format != OutputFormat::Parquet {
        let json = serde_json::json!({
            "versions": versions,
            "fingerprint": versions.fingerprint(),
            "rows": rows,
        });
        std::fs::write(sidecar_path(output), format!("{json:#}\n")).map_err(|e| {
            BatchError::io(format!("writing {}", sidecar_path(output).display()), e)
        })?;
    }
    std::fs::rename(&guard.partial, output)
        .map_err(|e| BatchError::io(format!("renaming into {}", output.display()), e))?;
    guard.committed = true;
    let summary = JobSummary {
        rows,
        batches,
        elapsed: started.elapsed(),
        output: output.to_path_buf(),
    };
    on_progress(&Progress {
        rows,
        total,
        elapsed: summary.elapsed,
    });
    Ok(summary)
}

/// Key-value metadata of a Parquet file (to check the versions of a result).
pub fn parquet_metadata(path: &Path) -> Result<Vec<(String, String)>> {
    let file =
        File::open(path).map_err(|e| BatchError::io(format!("opening {}", path.display()), e))?;
    let reader =
        datafusion::parquet::file::reader::SerializedFileReader::new(file).map_err(|e| {
            BatchError::Input {
                path: path.to_path_buf(),
                message: e.to_string(),
            }
        })?;
    use datafusion::parquet::file::reader::FileReader;
    Ok(reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default())
}

/// Write `lines` (e.g. a JSON Lines file of transactions) as a Parquet file
/// with one text column `json`: the input for `screen_tx`.
pub fn lines_to_parquet(input: &Path, output: &Path) -> Result<u64> {
    let schema = Arc::new(ArrowSchema::new(vec![
        Field::new("line", DataType::Int64, false),
        Field::new("json", DataType::Utf8, true),
    ]));
    let file = File::create(output)
        .map_err(|e| BatchError::io(format!("creating {}", output.display()), e))?;
    let out_err = |e: &dyn std::fmt::Display| BatchError::Output {
        path: output.to_path_buf(),
        message: e.to_string(),
    };
    let mut writer = ArrowWriter::try_new(file, schema.clone(), None).map_err(|e| out_err(&e))?;
    let reader = BufReader::new(
        File::open(input).map_err(|e| BatchError::io(format!("opening {}", input.display()), e))?,
    );
    let mut numbers = Vec::new();
    let mut texts: Vec<Option<String>> = Vec::new();
    let mut count = 0u64;
    let flush = |writer: &mut ArrowWriter<File>,
                 numbers: &mut Vec<i64>,
                 texts: &mut Vec<Option<String>>|
     -> Result<()> {
        if numbers.is_empty() {
            return Ok(());
        }
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(datafusion::arrow::array::Int64Array::from(std::mem::take(
                    numbers,
                ))),
                Arc::new(StringArray::from(std::mem::take(texts))),
            ],
        )
        .map_err(|e| out_err(&e))?;
        writer.write(&batch).map_err(|e| out_err(&e))
    };
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| BatchError::Input {
            path: input.to_path_buf(),
            message: format!("line {}: {e}", i + 1),
        })?;
        if line.trim().is_empty() {
            continue;
        }
        numbers.push(i as i64 + 1);
        texts.push(Some(line));
        count += 1;
        if numbers.len() == 8192 {
            flush(&mut writer, &mut numbers, &mut texts)?;
        }
    }
    flush(&mut writer, &mut numbers, &mut texts)?;
    writer.close().map_err(|e| out_err(&e))?;
    Ok(count)
}
