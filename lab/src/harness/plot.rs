//! The routes-received-over-time plot: a hand-written SVG with one polyline per target.

use super::report::TargetReport;
use std::fmt::Write as _;

const W: f64 = 720.0;
const H: f64 = 420.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 50.0;
const COLOURS: [&str; 6] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

/// One line: a target's name and its (seconds, routes) samples.
pub struct Series<'a> {
    /// Legend label.
    pub name: &'a str,
    /// Samples in time order.
    pub points: &'a [(f64, u64)],
}

/// The plot of each target's median run.
pub fn of_reports(title: &str, reports: &[TargetReport]) -> String {
    let series: Vec<Series<'_>> = reports
        .iter()
        .filter_map(|r| {
            r.median_run().map(|m| Series {
                name: &r.target,
                points: &m.series,
            })
        })
        .collect();
    svg(title, &series)
}

/// Renders the series into an SVG document.
pub fn svg(title: &str, series: &[Series<'_>]) -> String {
    let max_t = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(0.0f64, f64::max)
        .max(0.001);
    let max_r = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let x = |t: f64| LEFT + t / max_t * pw;
    let y = |r: f64| TOP + ph - r / max_r * ph;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(s, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    let _ = writeln!(
        s,
        "<text x=\"{LEFT}\" y=\"18\" font-size=\"14\">{}</text>",
        escape(title)
    );
    let _ = writeln!(
        s,
        "<path d=\"M{LEFT},{TOP} V{} H{}\" fill=\"none\" stroke=\"black\"/>",
        TOP + ph,
        LEFT + pw
    );
    for i in 0..=4 {
        let f = i as f64 / 4.0;
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{:.2}</text>",
            x(f * max_t),
            TOP + ph + 16.0,
            f * max_t
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{:.0}</text>",
            LEFT - 6.0,
            y(f * max_r) + 4.0,
            f * max_r
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">seconds since the first UPDATE</text>",
        LEFT + pw / 2.0,
        H - 10.0
    );
    let _ = writeln!(
        s,
        "<text transform=\"translate(16,{:.1}) rotate(-90)\" text-anchor=\"middle\">routes verified at the monitors</text>",
        TOP + ph / 2.0
    );
    for (i, ser) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let pts: Vec<String> = ser
            .points
            .iter()
            .map(|(t, r)| format!("{:.1},{:.1}", x(*t), y(*r as f64)))
            .collect();
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            pts.join(" ")
        );
        let ly = TOP + 10.0 + i as f64 * 18.0;
        let _ = writeln!(
            s,
            "<line x1=\"{:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{colour}\" stroke-width=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            LEFT + pw + 10.0,
            LEFT + pw + 30.0,
            LEFT + pw + 36.0,
            ly + 4.0,
            escape(ser.name)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plot_has_one_polyline_and_legend_entry_per_target() {
        let a = [(0.0, 0), (0.5, 10), (1.0, 20)];
        let b = [(0.0, 0), (2.0, 20)];
        let s = svg(
            "t <1>",
            &[
                Series {
                    name: "bird",
                    points: &a,
                },
                Series {
                    name: "gobgp",
                    points: &b,
                },
            ],
        );
        assert!(s.starts_with("<svg") && s.ends_with("</svg>\n"));
        assert_eq!(s.matches("<polyline").count(), 2);
        assert!(s.contains(">bird<") && s.contains(">gobgp<") && s.contains("t &lt;1&gt;"));
        // The slower line ends at the right edge of the plot area.
        assert!(s.contains(&format!("{:.1},{:.1}", W - RIGHT, TOP)), "{s}");
    }
}
