//! Formulating many assessment files at once: every case is read, checked, formulated and
//! written to its own output file (same stem) on all cores, with one compiled rule set shared by
//! every worker. A bad case is reported against its file and the others are still written.
//!
//! Like `crate::files`, this is an edge of the library that touches the file system; the work on
//! each case is the pure `crate::evaluate`.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Problem, Result};
use crate::files;
use crate::formulation::trace::RuleWarning;
use crate::report::{OutputFormat as Format, Report};
use crate::rules::RuleSet;
use crate::source::Position;

/// How a batch runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchOptions {
    /// The output format, which also decides the output files' extension.
    pub format: Format,
    /// Worker threads; more than the number of cases is never used.
    pub threads: NonZeroUsize,
}

impl BatchOptions {
    /// The given format on every core the machine offers.
    pub fn all_cores(format: Format) -> Self {
        Self {
            format,
            threads: std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN),
        }
    }
}

/// What became of one case file.
#[derive(Debug)]
pub struct CaseOutcome {
    /// The assessment file.
    pub input: PathBuf,
    /// The output written, or why there is none.
    pub result: Result<Written>,
}

/// A formulation written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The output file.
    pub output: PathBuf,
    /// Rules that failed or were stopped on this case (the formulation still stands).
    pub warnings: Vec<RuleWarning>,
}

/// The outcome of every case, in the order the inputs were given.
#[derive(Debug, Default)]
pub struct BatchReport {
    /// One entry per input file.
    pub outcomes: Vec<CaseOutcome>,
}

impl BatchReport {
    /// How many cases were formulated and written.
    pub fn written(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|outcome| outcome.result.is_ok())
            .count()
    }

    /// The cases that could not be formulated, with why.
    pub fn failures(&self) -> impl Iterator<Item = (&Path, &Error)> {
        self.outcomes.iter().filter_map(|outcome| {
            outcome
                .result
                .as_ref()
                .err()
                .map(|error| (outcome.input.as_path(), error))
        })
    }
}

/// The file extension of outputs in a format.
pub fn extension(format: Format) -> &'static str {
    match format {
        Format::Yaml => "yaml",
        Format::Json => "json",
        Format::Text => "txt",
        Format::Markdown => "md",
        Format::Html => "html",
    }
}

/// The assessment files (`*.yaml`, `*.yml`) at the top of a folder, sorted by name.
pub fn case_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::io(dir, source))?;
    let mut cases = Vec::new();
    for entry in entries {
        let path = entry.map_err(|source| Error::io(dir, source))?.path();
        let is_case = path
            .extension()
            .and_then(|ext| ext.to_str())
            .is_some_and(|ext| matches!(ext, "yaml" | "yml"));
        if is_case && path.is_file() {
            cases.push(path);
        }
    }
    cases.sort();
    Ok(cases)
}

/// Formulates every input into `out_dir/<stem>.<extension>`, creating the folder if needed.
///
/// Fails as a whole only when the output folder cannot be used or would overwrite an input;
/// otherwise each case's success or problem is in the report, in input order.
pub fn evaluate_files(
    ruleset: &RuleSet,
    inputs: &[PathBuf],
    out_dir: &Path,
    options: BatchOptions,
) -> Result<BatchReport> {
    files::write::private_dir(out_dir)?;
    let outputs = plan_outputs(inputs, out_dir, options.format)?;
    let next = AtomicUsize::new(0);
    let workers = options.threads.get().min(inputs.len()).max(1);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(input) = inputs.get(index) else {
                break;
            };
            let result = match &outputs[index] {
                Ok(output) => formulate_one(ruleset, input, output, options.format),
                Err(problem) => Err(problem.clone().into()),
            };
            done.push((index, result));
        }
        done
    };
    let mut results: Vec<(usize, Result<Written>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers).map(|_| scope.spawn(work)).collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                // A worker only panics on a bug; surface it rather than lose cases silently.
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    results.sort_by_key(|(index, _)| *index);
    Ok(BatchReport {
        outcomes: inputs
            .iter()
            .zip(results)
            .map(|(input, (_, result))| CaseOutcome {
                input: input.clone(),
                result,
            })
            .collect(),
    })
}

/// Each input's output path, or the problem that stops it being written: two inputs with the
/// same stem would overwrite each other's output, and an output must never replace an input.
fn plan_outputs(
    inputs: &[PathBuf],
    out_dir: &Path,
    format: Format,
) -> Result<Vec<Result<PathBuf, Problem>>> {
    let canonical_out = out_dir
        .canonicalize()
        .map_err(|source| Error::io(out_dir, source))?;
    let mut seen = std::collections::HashMap::new();
    let mut plan = Vec::with_capacity(inputs.len());
    for input in inputs {
        // The name comes from sanitised parts, so a case called `..yaml` or `a\nb.yaml` still
        // writes inside `out_dir`.
        let stem = input.file_stem().unwrap_or(input.as_os_str());
        let output = out_dir.join(format!(
            "{}.{}",
            files::write::safe_stem(&stem.to_string_lossy()),
            extension(format)
        ));
        let input_dir = input
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if input_dir.canonicalize().ok().as_deref() == Some(canonical_out.as_path()) {
            return Err(Problem::new(
                out_dir.display().to_string(),
                Position::default(),
                "",
                format!(
                    "the output folder holds the cases too, so `{}` could be overwritten",
                    input.display()
                ),
            )
            .with_hint("choose an --out folder of its own, for example formulations-out")
            .into());
        }
        let entry = match seen.insert(output.clone(), input.clone()) {
            None => Ok(output),
            Some(first) => Err(Problem::new(
                input.display().to_string(),
                Position::default(),
                "",
                format!(
                    "its output `{}` is also the output of `{}`",
                    output.display(),
                    first.display()
                ),
            )
            .with_hint("give every case file a different name (stem)")),
        };
        plan.push(entry);
    }
    Ok(plan)
}

fn formulate_one(
    ruleset: &RuleSet,
    input: &Path,
    output: &Path,
    format: Format,
) -> Result<Written> {
    let assessment = files::read_assessment(input, ruleset)?;
    let formulation = crate::evaluate(ruleset, &assessment);
    let report = Report {
        assessment: &assessment,
        formulation: &formulation,
        choices: None,
        vocabulary: &ruleset.vocabulary,
    };
    let text = report.render(format);
    write_atomically(output, text.as_bytes())?;
    Ok(Written {
        output: output.to_path_buf(),
        warnings: formulation.warnings,
    })
}

/// Writes the whole output or nothing, 0600, never through a symlink
/// ([`files::write::write_private`]), so a reader never sees half an output and an interrupted
/// batch leaves the old output whole.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    files::write::write_private_path(path, bytes).map(|_| ())
}
