//! Finding an installed program: on `PATH`, then in the sbin directories (where Debian puts
//! `bird`, and which an ordinary user's `PATH` often lacks).

use std::path::{Path, PathBuf};

/// Where a program is looked for after `PATH`.
const SBIN: [&str; 3] = ["/usr/sbin", "/sbin", "/usr/local/sbin"];

/// Finds the executable `name` on `PATH` or in the sbin directories.
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    let found = path
        .split(':')
        .filter(|d| !d.is_empty())
        .chain(SBIN)
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file());
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_on_path_is_found_and_a_made_up_one_is_not() {
        assert!(find_program("sh").is_some_and(|p| p.is_absolute() && p.ends_with("sh")));
        assert_eq!(find_program("peerlab-no-such-program"), None);
    }
}
