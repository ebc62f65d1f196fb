//! Markdown output, and rewriting the results section of BENCHMARKS.md.

use std::fmt::Write as _;
use std::path::Path;

/// A Markdown table; the first column is left-aligned, the others right-aligned.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Self {
        Self {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.headers.len(), "{cells:?}");
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let width = |c: usize| {
            self.rows
                .iter()
                .map(|r| r[c].chars().count())
                .chain([self.headers[c].chars().count(), 3])
                .max()
                .unwrap_or(3)
        };
        let widths: Vec<usize> = (0..self.headers.len()).map(width).collect();
        let line = |cells: &[String]| {
            let mut s = String::from("|");
            for (c, cell) in cells.iter().enumerate() {
                let pad = widths[c] - cell.chars().count();
                if c == 0 {
                    let _ = write!(s, " {cell}{} |", " ".repeat(pad));
                } else {
                    let _ = write!(s, " {}{cell} |", " ".repeat(pad));
                }
            }
            s.push('\n');
            s
        };
        let mut out = line(&self.headers);
        out.push('|');
        for (c, w) in widths.iter().enumerate() {
            if c == 0 {
                let _ = write!(out, " {} |", "-".repeat(*w));
            } else {
                let _ = write!(out, " {}: |", "-".repeat(w - 1));
            }
        }
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row));
        }
        out
    }
}

/// The targets met or not in this run, as the sections find them: `(target, measured,
/// met)`, where `met` is `None` for a target measured outside this benchmark. Printed as one
/// table at the top of the results.
type TargetRow = (String, String, Option<bool>);
static TARGETS: std::sync::Mutex<Vec<TargetRow>> = std::sync::Mutex::new(Vec::new());

/// Records a target and its measured figure for the summary table.
pub fn target(target: impl Into<String>, measured: impl Into<String>, met: bool) {
    push_target(target.into(), measured.into(), Some(met));
}

/// Records a target this benchmark does not measure, with where its figure is (so the table
/// still lists every target of the issue).
pub fn target_elsewhere(target: impl Into<String>, measured_in: impl Into<String>) {
    push_target(target.into(), measured_in.into(), None);
}

fn push_target(target: String, measured: String, met: Option<bool>) {
    TARGETS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((target, measured, met));
}

/// The summary table of the recorded targets (empty when none was recorded).
pub fn targets() -> String {
    let rows = TARGETS.lock().unwrap_or_else(|e| e.into_inner());
    if rows.is_empty() {
        return String::new();
    }
    let mut table = Table::new(&["target", "measured in this run", "met"]);
    for (target, measured, met) in rows.iter() {
        table.row(vec![
            target.clone(),
            measured.clone(),
            match met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "—",
            }
            .into(),
        ]);
    }
    format!(
        "### Targets

{}",
        table.render()
    )
}

pub const BEGIN: &str = "<!-- results:begin -->";
pub const END: &str = "<!-- results:end -->";

/// Replaces the text between the markers of `path` with `results`.
pub fn splice(path: &Path, results: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (Some(begin), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        return Err(format!(
            "{}: no `{BEGIN}` … `{END}` section to rewrite",
            path.display()
        ));
    };
    if end < begin {
        return Err(format!("{}: markers out of order", path.display()));
    }
    let mut out = String::with_capacity(text.len() + results.len());
    out.push_str(&text[..begin + BEGIN.len()]);
    out.push_str(
        "\n<!-- Written by `cargo xtask bench --write`; edit the text outside the markers. -->\n\n",
    );
    out.push_str(results.trim());
    out.push_str("\n\n");
    out.push_str(&text[end..]);
    std::fs::write(path, out).map_err(|e| format!("{}: {e}", path.display()))
}

/// Today's date (UTC), `YYYY-MM-DD`, from the system clock.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `model name` of the first CPU, if /proc/cpuinfo says.
pub fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
}

/// The first line `cmd --version`-style commands print.
pub fn tool_version(cmd: &str, arg: &str) -> Option<String> {
    let out = std::process::Command::new(cmd).arg(arg).output().ok()?;
    String::from_utf8(out.stdout)
        .ok()?
        .lines()
        .next()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&["what", "n"]);
        t.row(vec!["a".into(), "10".into()]);
        assert_eq!(
            t.render(),
            "| what |   n |\n| ---- | --: |\n| a    |  10 |\n"
        );
    }

    #[test]
    fn splice_replaces_only_the_section() {
        let dir = std::env::temp_dir().join(format!("bench-splice-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("B.md");
        std::fs::write(&file, format!("intro\n{BEGIN}\nold\n{END}\noutro\n")).unwrap();
        splice(&file, "new").unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("intro\n") && text.ends_with(&format!("{END}\noutro\n")));
        assert!(text.contains("\nnew\n") && !text.contains("old"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
