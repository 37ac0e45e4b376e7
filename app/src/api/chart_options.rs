//! ECharts options for the dashboard's charts, built with `charming` on the
//! server: one for a light page and one for a dark one. The chart island
//! hands the one that matches the page to ECharts; doing this here keeps
//! charming's option types out of the browser's WebAssembly.

use charming::{
    component::{Axis, Grid, Legend},
    element::{AxisLabel, AxisType, Color, ItemStyle, LineStyle, SplitLine, TextStyle, Tooltip, Trigger},
    series::{Bar, Line, Pie},
    Chart as EChart,
};

use super::dashboard::DrawOptions;
use domain::dashboard::{ChartData, ChartKind, Unit};

/// Colours that read on the page's light or dark background (the same
/// values as the style's tokens).
struct Palette {
    text: &'static str,
    grid: &'static str,
    series: [&'static str; 6],
}

const LIGHT: Palette = Palette {
    text: "#3b4252",
    grid: "#e3e7ef",
    series: ["#3355e0", "#1a9e74", "#c77c02", "#d14358", "#7c4dcc", "#1d8fb3"],
};

const DARK: Palette = Palette {
    text: "#c9d1e3",
    grid: "#2c3446",
    series: ["#7b93ff", "#4fd1a5", "#f6b94b", "#f07d8a", "#b48bf2", "#5ec8e8"],
};

/// Both themes' options as JSON (empty strings if they cannot be written,
/// which the island treats as "nothing to draw"; the data table remains).
pub fn draw_options(data: &ChartData) -> DrawOptions {
    let json = |palette: &Palette| match serde_json::to_string(&options(data, palette)) {
        Ok(json) => json,
        Err(error) => {
            tracing::error!(chart = %data.id, %error, "chart options could not be written");
            String::new()
        }
    };
    DrawOptions {
        light: json(&LIGHT),
        dark: json(&DARK),
    }
}

/// A series' name, with its unit where the values are scaled.
fn named(data: &ChartData, name: &str) -> String {
    match data.unit {
        Unit::Count | Unit::Money => name.to_string(),
        _ => format!("{name} ({})", data.unit.suffix()),
    }
}

fn options(data: &ChartData, p: &Palette) -> EChart {
    let base = EChart::new()
        .background_color("transparent")
        .color(p.series.iter().map(|c| Color::from(*c)).collect::<Vec<_>>())
        .tooltip(Tooltip::new().trigger(if data.kind == ChartKind::Pie {
            Trigger::Item
        } else {
            Trigger::Axis
        }))
        .legend(Legend::new().text_style(TextStyle::new().color(p.text)).bottom(0));
    match data.kind {
        ChartKind::Pie => data.series.iter().fold(base, |chart, s| {
            let slices: Vec<(f64, String)> = s
                .values
                .iter()
                .copied()
                .zip(data.labels.iter().cloned())
                .collect();
            chart.series(
                Pie::new()
                    .name(named(data, &s.name))
                    .radius(vec!["35%", "65%"])
                    .data(slices),
            )
        }),
        kind => with_axes(base, data, p, kind),
    }
}

/// Bars or lines over a category or time axis.
fn with_axes(base: EChart, data: &ChartData, p: &Palette, kind: ChartKind) -> EChart {
    let value_label = AxisLabel::new().color(p.text);
    let value_label = match data.unit {
        Unit::Count | Unit::Money => value_label,
        _ => value_label.formatter(format!("{{value}} {}", data.unit.suffix()).as_str()),
    };
    // Times go to ECharts as Unix milliseconds: it labels them in the
    // browser's own time zone.
    let time = !data.times.is_empty() && kind == ChartKind::Line;
    let x = if time {
        Axis::new().type_(AxisType::Time)
    } else {
        Axis::new().type_(AxisType::Category).data(data.labels.clone())
    };
    let chart = base
        .grid(
            Grid::new()
                .left(8)
                .right(16)
                .top(16)
                .bottom(48)
                .contain_label(true),
        )
        .x_axis(x.axis_label(AxisLabel::new().color(p.text)))
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .axis_label(value_label)
                .split_line(SplitLine::new().line_style(LineStyle::new().color(p.grid))),
        );
    data.series.iter().fold(chart, |chart, s| {
        if kind == ChartKind::Bar {
            chart.series(
                Bar::new()
                    .name(named(data, &s.name))
                    .data(s.values.clone())
                    .item_style(ItemStyle::new().border_radius(3)),
            )
        } else if time {
            let points: Vec<Vec<f64>> = data
                .times
                .iter()
                .zip(&s.values)
                .map(|(t, v)| vec![*t as f64, *v])
                .collect();
            chart.series(
                Line::new()
                    .name(named(data, &s.name))
                    .show_symbol(false)
                    .data(points),
            )
        } else {
            chart.series(
                Line::new()
                    .name(named(data, &s.name))
                    .show_symbol(false)
                    .data(s.values.clone()),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::dashboard::Series;

    fn bandwidth() -> ChartData {
        ChartData {
            id: domain::dashboard::ChartId::Bandwidth,
            title: "Bandwidth served".into(),
            kind: ChartKind::Line,
            unit: Unit::Bytes(3),
            times: vec![1_700_000_000_000, 1_700_086_400_000],
            labels: vec!["2023-11-14".into(), "2023-11-15".into()],
            series: vec![Series {
                name: "Bandwidth per day".into(),
                values: vec![1.5, 2.25],
            }],
        }
    }

    #[test]
    fn options_carry_the_data_units_and_theme() {
        let draw = draw_options(&bandwidth());
        let light: serde_json::Value = serde_json::from_str(&draw.light).expect("light JSON");
        let dark: serde_json::Value = serde_json::from_str(&draw.dark).expect("dark JSON");
        assert_eq!(light["xAxis"]["type"], "time");
        assert_eq!(light["series"][0]["data"][1][1], 2.25);
        assert_eq!(light["series"][0]["name"], "Bandwidth per day (GB)");
        assert_eq!(light["yAxis"]["axisLabel"]["formatter"], "{value} GB");
        assert_eq!(light["legend"]["textStyle"]["color"], LIGHT.text);
        assert_eq!(dark["legend"]["textStyle"]["color"], DARK.text);
        assert_eq!(dark["color"][0], DARK.series[0]);
    }
}
