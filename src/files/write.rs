//! Files sicol writes outside its store: batch outputs, exports, packets, schemas (issue 19).
//! Each copy of health data keeps the store's rules: it lands in the folder given and nowhere
//! else, under a name made from sanitised parts; it never follows a symlink; it is written whole
//! (a new temporary file, then a rename); it is 0600, in a folder sicol creates 0700.
//!
//! Why a rename: a temporary file is created with `O_CREAT | O_EXCL` (which never follows a
//! symlink, the kernel refuses an existing name) and renamed over the target, which replaces a
//! symlink there rather than writing through it; a reader never sees half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Problem, Result};
use crate::source::Position;

/// Longest file-name stem sicol makes (bytes), well inside every file system's 255.
const MAX_STEM: usize = 120;

/// A file-name stem made from `part`: letters, digits, `-`, `_` and `.` kept, anything else
/// (separators, control characters, spaces) becomes `_`; leading dots are dropped so the name
/// is never `.`, `..` or hidden; an empty result is `unnamed`.
pub fn safe_stem(part: &str) -> String {
    let mut stem: String = part
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let dots = stem.len() - stem.trim_start_matches('.').len();
    stem.drain(..dots);
    stem.truncate(MAX_STEM);
    if stem.trim_matches(['.', '_']).is_empty() {
        return "unnamed".to_owned();
    }
    stem
}

/// Creates `dir` and its missing parents, each folder sicol creates 0700 (one that exists is
/// left as it is: it is the user's).
pub fn private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| Error::io(dir, source))
}

/// Writes `bytes` as the file `name` in `dir`, whole and 0600. `name` must be one plain file
/// name (make it with [`safe_stem`]); a name with a separator, `.` or `..` is refused rather
/// than resolved. Whatever is at the name, a symlink included, is replaced, never written
/// through.
pub fn write_private(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && Path::new(name).file_name() == Some(std::ffi::OsStr::new(name));
    if !plain {
        return Err(Problem::new(
            dir.display().to_string(),
            Position::default(),
            "",
            format!("`{name}` is not a plain file name, so it is not written"),
        )
        .into());
    }
    private_dir(dir)?;
    let path = dir.join(name);
    // tempfile creates with O_EXCL and mode 0600 on Unix.
    let mut temporary = tempfile::Builder::new()
        .prefix(".sicol-write-")
        .tempfile_in(dir)
        .map_err(|source| Error::io(dir, source))?;
    temporary
        .write_all(bytes)
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(|source| Error::io(&path, source))?;
    temporary
        .persist(&path)
        .map_err(|error| Error::io(&path, error.error))?;
    Ok(path)
}

/// Writes `bytes` to `path` with [`write_private`]: its folder is the folder given, its file
/// name must be a plain name.
pub fn write_private_path(path: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let dir = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_private(dir, &name, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_never_leave_the_folder_or_hide() {
        assert_eq!(safe_stem("A-2026-0042"), "A-2026-0042");
        assert_eq!(safe_stem(".."), "unnamed");
        assert_eq!(safe_stem("."), "unnamed");
        assert_eq!(safe_stem("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_stem(".hidden"), "hidden");
        assert_eq!(safe_stem("a\u{1b}[2Jb c/d"), "a__2Jb_c_d");
        assert_eq!(safe_stem(""), "unnamed");
        assert_eq!(safe_stem(&"x".repeat(500)).len(), MAX_STEM);
    }

    #[cfg(unix)]
    #[test]
    fn writes_are_private_whole_and_replace_a_symlink_rather_than_follow_it() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().expect("temp dir");
        let target = root.path().join("victim.txt");
        std::fs::write(&target, "keep me").expect("victim");
        let out = root.path().join("out");
        private_dir(&out).expect("folder");
        std::os::unix::fs::symlink(&target, out.join("a.json")).expect("symlink");
        let path = write_private(&out, "a.json", b"{}").expect("written");
        assert_eq!(std::fs::read_to_string(&target).expect("victim"), "keep me");
        assert_eq!(std::fs::read_to_string(&path).expect("output"), "{}");
        let mode =
            |path: &Path| std::fs::metadata(path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&out), 0o700);
        assert!(write_private(&out, "..", b"x").is_err());
        assert!(write_private(&out, "../escape", b"x").is_err());
    }
}
