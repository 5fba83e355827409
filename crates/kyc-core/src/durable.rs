//! Writing files so that they survive a power cut (flushed to disk, and their folder
//! too: a rename or a new name is only durable once the folder is), and so that only
//! the user can read them (folders 0700, files 0600 on Unix; Windows keeps a user's
//! app data under their profile's ACL).

use crate::CoreError;
use std::path::Path;

fn io(path: &Path) -> impl Fn(std::io::Error) -> CoreError + '_ {
    move |e| CoreError::Io(format!("{}: {e}", path.display()))
}

/// Flushes `file`'s contents and the folder entry that names it.
pub async fn sync_file_and_dir(file: &Path) -> Result<(), CoreError> {
    tokio::fs::File::open(file).await.map_err(io(file))?.sync_all().await.map_err(io(file))?;
    sync_dir(file.parent().unwrap_or(Path::new("."))).await
}

/// Flushes a folder's entries (new names, renames). Folders cannot be opened for this
/// on Windows, where NTFS journals the metadata itself.
pub async fn sync_dir(dir: &Path) -> Result<(), CoreError> {
    #[cfg(unix)]
    tokio::fs::File::open(dir).await.map_err(io(dir))?.sync_all().await.map_err(io(dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Creates `dir` (and its parents) readable by this user only.
pub fn private_dir(dir: &Path) -> Result<(), CoreError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    #[cfg(unix)]
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).map_err(io(dir))?;
    Ok(())
}

/// Makes an existing file readable by this user only.
pub fn private_file(file: &Path) -> Result<(), CoreError> {
    #[cfg(unix)]
    std::fs::set_permissions(file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).map_err(io(file))?;
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Writes `bytes` to `path` atomically and durably: a temporary file, flushed, renamed
/// over `path`, and the folder flushed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CoreError> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let err = io(path);
    let mut f = std::fs::File::create(&tmp).map_err(&err)?;
    private_file(&tmp)?;
    f.write_all(bytes).map_err(&err)?;
    f.sync_all().map_err(&err)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(&err)?;
    #[cfg(unix)]
    std::fs::File::open(path.parent().unwrap_or(Path::new("."))).and_then(|d| d.sync_all()).map_err(&err)?;
    Ok(())
}
