//! Where the CPU went during a run, from /proc (Linux): this process (the
//! portal and the benchmark's own clients), its finished children (wrk),
//! and every PostgreSQL process.

use std::process::Command;

#[derive(Clone, Copy, Default)]
pub struct Cpu {
    pub own: f64,
    pub children: f64,
    pub postgres: f64,
}

/// utime+stime and cutime+cstime of one /proc/<pid>/stat, in ticks.
fn ticks(stat: &str) -> Option<(String, u64, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat[open + 1..close].to_string();
    let fields: Vec<u64> = stat[close + 2..]
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // After the name: state is field 0, utime 11, stime 12, cutime 13, cstime 14.
    Some((
        name,
        fields.get(11)? + fields.get(12)?,
        fields.get(13)? + fields.get(14)?,
    ))
}

fn tick_rate() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

impl Cpu {
    pub fn now() -> Cpu {
        let rate = tick_rate();
        let own = std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| ticks(&s))
            .unwrap_or_default();
        let mut postgres = 0;
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for entry in dir.flatten() {
                if let Some((name, t, _)) = std::fs::read_to_string(entry.path().join("stat"))
                    .ok()
                    .and_then(|s| ticks(&s))
                {
                    if name == "postgres" {
                        postgres += t;
                    }
                }
            }
        }
        Cpu {
            own: own.1 as f64 / rate,
            children: own.2 as f64 / rate,
            postgres: postgres as f64 / rate,
        }
    }

    /// "portal 12.1 s · PostgreSQL 14.0 s · wrk 3.2 s" since `before`.
    pub fn since(self, before: Cpu) -> String {
        format!(
            "CPU over the run: portal and its clients {:.1} s · PostgreSQL {:.1} s · wrk {:.1} s",
            self.own - before.own,
            self.postgres - before.postgres,
            self.children - before.children
        )
    }
}
