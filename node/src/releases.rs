//! A site's releases: `<sites>/<account>/releases/<deploy>`, each an
//! uploaded archive unpacked, and `current`, a link to the one served.
//! A deploy is unpacked beside the others and the link swapped in one
//! rename, so a visitor sees the old files or the new, never a mix; a
//! rollback is the same swap. Markers beside each release
//! (`<deploy>.reported`, `<deploy>.failed`) remember what the portal was
//! told, so a restarted agent neither unpacks nor reports anything again.

use std::io;
use std::path::{Path, PathBuf};

use domain::archive::{self, ArchiveError, Limits, Summary};
use domain::sites::SiteState;

/// The folder of one site.
pub fn site_dir(sites: &Path, site: &SiteState) -> PathBuf {
    sites.join(site.id.to_string())
}

fn releases(sites: &Path, site: &SiteState) -> PathBuf {
    site_dir(sites, site).join("releases")
}

/// The release folder of `deploy`.
pub fn release_dir(sites: &Path, site: &SiteState, deploy: uuid::Uuid) -> PathBuf {
    releases(sites, site).join(deploy.to_string())
}

/// Where a deploy stands on this node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnDisk {
    /// Not unpacked yet.
    Missing,
    /// Unpacked; whether the portal was told.
    Ready { reported: bool },
    /// Refused before (the portal was told why).
    Refused,
}

pub fn on_disk(sites: &Path, site: &SiteState, deploy: uuid::Uuid) -> OnDisk {
    let dir = release_dir(sites, site, deploy);
    if dir.with_extension("failed").exists() {
        OnDisk::Refused
    } else if dir.is_dir() {
        OnDisk::Ready {
            reported: dir.with_extension("reported").exists(),
        }
    } else {
        OnDisk::Missing
    }
}

/// Unpacks `bytes` as `deploy`'s release (blocking: call off the runtime).
/// Nothing is left behind when it is refused.
pub fn unpack(
    sites: &Path,
    site: &SiteState,
    deploy: uuid::Uuid,
    bytes: &[u8],
) -> Result<Summary, ArchiveError> {
    let dir = release_dir(sites, site, deploy);
    let partial = dir.with_extension("partial");
    remove_any(&partial)?;
    let limits = Limits {
        max_bytes: site.quota_bytes,
        max_files: archive::MAX_FILES,
    };
    match archive::unpack(bytes, &partial, limits) {
        Ok(summary) => {
            std::fs::rename(&partial, &dir)?;
            Ok(summary)
        }
        Err(e) => {
            let _ = remove_any(&partial);
            Err(e)
        }
    }
}

/// Remembers that the portal knows how `deploy` went.
pub fn mark(sites: &Path, site: &SiteState, deploy: uuid::Uuid, refused: Option<&str>) -> io::Result<()> {
    let dir = release_dir(sites, site, deploy);
    std::fs::create_dir_all(releases(sites, site))?;
    match refused {
        Some(why) => std::fs::write(dir.with_extension("failed"), why),
        None => std::fs::write(dir.with_extension("reported"), b""),
    }
}

/// Points `current` at `release` (a folder name under `releases/`), in one
/// rename. Answers whether it changed.
pub fn switch(sites: &Path, site: &SiteState, release: &str) -> io::Result<bool> {
    let dir = site_dir(sites, site);
    let target = Path::new("releases").join(release);
    let current = dir.join("current");
    if std::fs::read_link(&current).is_ok_and(|t| t == target) {
        return Ok(false);
    }
    let next = dir.join("current.next");
    remove_any(&next)?;
    #[cfg(unix)]
    std::os::unix::fs::symlink(&target, &next)?;
    std::fs::rename(&next, &current)?;
    Ok(true)
}

/// Removes the releases (and their markers) that are neither kept nor
/// served; the default page stays. Answers how many went.
pub fn prune(sites: &Path, site: &SiteState, serving: &str) -> io::Result<usize> {
    let Ok(entries) = std::fs::read_dir(releases(sites, site)) else {
        return Ok(0);
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let stem = name.split('.').next().unwrap_or_default();
        let kept = stem == "default"
            || stem == serving
            || uuid::Uuid::parse_str(stem).is_ok_and(|id| site.keep.contains(&id));
        // Half-unpacked folders of an interrupted deploy always go.
        if !kept || name.ends_with(".partial") {
            remove_any(&entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Deletes everything of the site `id` (moved away, or cancelled past
/// its retention). Answers whether there was anything.
pub fn remove_site(sites: &Path, id: uuid::Uuid) -> io::Result<bool> {
    let dir = sites.join(id.to_string());
    let existed = std::fs::symlink_metadata(&dir).is_ok();
    remove_any(&dir)?;
    Ok(existed)
}

/// Removes a file, link or folder; absent is fine.
fn remove_any(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::sites::SiteMode;

    fn site(keep: Vec<uuid::Uuid>) -> SiteState {
        SiteState {
            id: uuid::Uuid::from_u128(7),
            name: "Shop".into(),
            mode: SiteMode::Serve,
            hosts: vec!["shop.example".into()],
            release: None,
            keep,
            quota_bytes: 1 << 20,
        }
    }

    #[test]
    fn switching_is_a_rename_and_pruning_keeps_what_the_portal_keeps() {
        let root = tempfile::tempdir().unwrap();
        let (old, new) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let s = site(vec![new]);
        for id in [old, new] {
            std::fs::create_dir_all(release_dir(root.path(), &s, id)).unwrap();
            mark(root.path(), &s, id, None).unwrap();
        }
        assert!(switch(root.path(), &s, &old.to_string()).unwrap());
        assert!(switch(root.path(), &s, &new.to_string()).unwrap());
        assert!(!switch(root.path(), &s, &new.to_string()).unwrap());
        assert_eq!(
            std::fs::read_link(site_dir(root.path(), &s).join("current")).unwrap(),
            Path::new("releases").join(new.to_string())
        );
        // The old release and its marker go; the kept one stays.
        assert_eq!(prune(root.path(), &s, &new.to_string()).unwrap(), 2);
        assert_eq!(on_disk(root.path(), &s, old), OnDisk::Missing);
        assert_eq!(on_disk(root.path(), &s, new), OnDisk::Ready { reported: true });
    }
}
