//! SVG chart of the base-year value removed by the measures over time,
//! stacked by resolution, drawn with plotters.
//!
//! Text is measured with the bundled DejaVu Sans subset (see
//! `assets/README.md`) registered under the generic name `sans-serif`, so
//! the layout needs no system font and the SVG names a family every viewer has.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use plotters::prelude::*;
use plotters::style::{FontStyle, FontTransform};

use crate::compute::{DirectionImpact, ImpactReport};

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans-subset.ttf");

/// Okabe–Ito colours (distinguishable with colour-vision deficiency).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
];
const CAP_ALLOWED: RGBColor = RGBColor(200, 200, 200);

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the bundled chart font could not be loaded")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
}

fn register_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

fn day_number(d: NaiveDate) -> f64 {
    d.signed_duration_since(NaiveDate::default()).num_days() as f64
}

fn date_of(day: f64) -> NaiveDate {
    NaiveDate::default()
        .checked_add_signed(chrono::Duration::days(day.round() as i64))
        .unwrap_or_default()
}

/// The first day of every month from the month after `from` (or `from` itself
/// when it is a first) up to `to`.
fn month_starts(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut m = from.with_day(1).unwrap_or(from);
    if m < from {
        m = m.checked_add_months(chrono::Months::new(1)).unwrap_or(to);
    }
    let mut out = Vec::new();
    while m <= to {
        out.push(m);
        match m.checked_add_months(chrono::Months::new(1)) {
            Some(next) => m = next,
            None => break,
        }
    }
    out
}

/// The chart for DPRK exports of a report.
pub fn impact_svg(report: &ImpactReport) -> Result<String, ChartError> {
    let title = format!(
        "DPRK exports of {} removed by the UN measures, by resolution (US$ million)",
        report.year
    );
    timeline_svg(&report.exports, &title, report.at)
}

/// Draw the stacked step chart of `impact.timeline`, up to `until`.
pub fn timeline_svg(
    impact: &DirectionImpact,
    title: &str,
    until: NaiveDate,
) -> Result<String, ChartError> {
    register_font()?;
    let draw_err = |e: &dyn std::fmt::Display| ChartError::Draw(e.to_string());
    // Start where the measures first take something away: earlier points
    // (1718's arms and luxury measures) remove nothing from these flows.
    let first_nonzero = impact
        .timeline
        .iter()
        .position(|p| {
            p.cap_allowed_usd > 0.0 || p.removed_by_resolution.values().any(|v| v.abs() > 0.0)
        })
        .unwrap_or(0);
    let points = &impact.timeline[first_nonzero..];
    let first = points.first().map(|p| p.date).unwrap_or(until);
    let x_start = day_number(first) - 120.0;
    let x_end = day_number(until).max(day_number(first) + 30.0) + 60.0;
    let resolutions: Vec<u32> = {
        let mut r: Vec<u32> = points
            .iter()
            .flat_map(|p| p.removed_by_resolution.keys().copied())
            .collect();
        r.sort_unstable();
        r.dedup();
        r
    };
    let stack_top = |i: usize| -> f64 {
        points[i].removed_by_resolution.values().sum::<f64>() + points[i].cap_allowed_usd
    };
    let max_stack = (0..points.len()).map(stack_top).fold(0.0_f64, f64::max);
    let reference = impact.commodity_rows_usd;
    // Head room above the stack for the legend and the date labels.
    let y_max = (max_stack.max(reference) / 1e6 * 1.4).max(1.0);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 540)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(&e))?;
        // The legend goes in its own strip under the plot so it never hides data or labels.
        let (plot_area, legend_area) = root.split_vertically(500);
        let mut legend: Vec<(String, RGBColor, bool)> = Vec::new();
        let mut chart = ChartBuilder::on(&plot_area)
            .caption(title, ("sans-serif", 17))
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x_start..x_end, 0.0..y_max)
            .map_err(|e| draw_err(&e))?;
        // No automatic x labels: plotters spaces them evenly in days, which
        // skips months; every month gets its own tick below instead.
        chart
            .configure_mesh()
            .x_labels(0)
            .y_labels(8)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("US$ million")
            .label_style(("sans-serif", 13))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| draw_err(&e))?;

        // One tick per month; the label of every month (upright for a short
        // range, turned for a long one), so no month is ever skipped.
        let months = month_starts(date_of(x_start), date_of(x_end));
        let turn = months.len() > 18;
        for m in &months {
            let x = day_number(*m);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, 0.0), (x, -y_max * 0.015)],
                    BLACK.stroke_width(1),
                )))
                .map_err(|e| draw_err(&e))?;
            let (px, py) = chart.backend_coord(&(x, 0.0));
            let label = m.format("%Y-%m").to_string();
            let style = ("sans-serif", 12).into_font().color(&BLACK);
            let text = if turn {
                Text::new(
                    label,
                    (px - 6, py + 44),
                    style.transform(FontTransform::Rotate270),
                )
            } else {
                Text::new(label, (px - 20, py + 8), style)
            };
            root.draw(&text).map_err(|e| draw_err(&e))?;
        }

        // Each band is a step function: the state at a point holds until the next point.
        let segment_end = |i: usize| {
            if i + 1 < points.len() {
                day_number(points[i + 1].date)
            } else {
                x_end
            }
        };
        let mut lower = vec![0.0_f64; points.len()];
        let mut bands: Vec<(String, RGBColor, Vec<f64>)> = resolutions
            .iter()
            .enumerate()
            .map(|(k, r)| {
                let values = points
                    .iter()
                    .map(|p| p.removed_by_resolution.get(r).copied().unwrap_or(0.0) / 1e6)
                    .collect();
                (format!("UNSCR {r}"), PALETTE[k % PALETTE.len()], values)
            })
            .collect();
        bands.push((
            "still allowed under a cap".to_string(),
            CAP_ALLOWED,
            points.iter().map(|p| p.cap_allowed_usd / 1e6).collect(),
        ));
        for (label, color, values) in bands {
            if values.iter().all(|v| v.abs() < 1e-9) {
                continue;
            }
            let upper: Vec<f64> = lower.iter().zip(&values).map(|(l, v)| l + v).collect();
            let mut outline: Vec<(f64, f64)> = Vec::new();
            for i in 0..points.len() {
                let x0 = day_number(points[i].date);
                outline.push((x0, upper[i]));
                outline.push((segment_end(i), upper[i]));
            }
            for i in (0..points.len()).rev() {
                let x0 = day_number(points[i].date);
                outline.push((segment_end(i), lower[i]));
                outline.push((x0, lower[i]));
            }
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    color.mix(0.85).filled(),
                )))
                .map_err(|e| draw_err(&e))?;
            legend.push((label, color, false));
            lower = upper;
        }
        if reference > 0.0 {
            let y = reference / 1e6;
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x_start, y), (x_end, y)],
                    6,
                    4,
                    BLACK.stroke_width(1),
                ))
                .map_err(|e| draw_err(&e))?;
            legend.push((
                format!("base-year value of the commodity rows: {y:.0}"),
                BLACK,
                true,
            ));
        }
        // Mark the days on which the removed value changed, labelled with the
        // resolutions whose share changed; labels close in time are staggered.
        let mut previous: std::collections::BTreeMap<u32, f64> = std::collections::BTreeMap::new();
        let mut level = 0_usize;
        let mut last_label_x = f64::MIN;
        for (i, p) in points.iter().enumerate() {
            let changed: Vec<String> = p
                .removed_by_resolution
                .iter()
                .filter(|(r, v)| (previous.get(r).copied().unwrap_or(0.0) - **v).abs() > 1.0)
                .map(|(r, _)| r.to_string())
                .collect();
            previous = p.removed_by_resolution.clone();
            if changed.is_empty() {
                continue;
            }
            let x = day_number(p.date);
            let top = stack_top(i) / 1e6;
            level = if x - last_label_x < (x_end - x_start) * 0.2 {
                level + 1
            } else {
                0
            };
            last_label_x = x;
            let label_y = top + y_max * (0.04 + 0.055 * level as f64);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, 0.0), (x, label_y)],
                    RGBColor(90, 90, 90).stroke_width(1),
                )))
                .map_err(|e| draw_err(&e))?;
            let text = format!("{} UNSCR {}", p.date.format("%Y-%m-%d"), changed.join(", "));
            chart
                .draw_series(std::iter::once(Text::new(
                    text,
                    (x + 3.0, label_y),
                    ("sans-serif", 12).into_font().color(&BLACK),
                )))
                .map_err(|e| draw_err(&e))?;
        }
        let font = ("sans-serif", 13).into_font();
        let mut x = 84_i32;
        for (label, color, dashed) in legend {
            if dashed {
                legend_area
                    .draw(&PathElement::new(
                        vec![(x, 20), (x + 16, 20)],
                        color.stroke_width(2),
                    ))
                    .map_err(|e| draw_err(&e))?;
            } else {
                legend_area
                    .draw(&Rectangle::new([(x, 14), (x + 16, 26)], color.filled()))
                    .map_err(|e| draw_err(&e))?;
            }
            legend_area
                .draw(&Text::new(
                    label.clone(),
                    (x + 22, 13),
                    font.clone().color(&BLACK),
                ))
                .map_err(|e| draw_err(&e))?;
            let width = legend_area
                .estimate_text_size(&label, &TextStyle::from(font.clone()))
                .map_err(|e| draw_err(&e))?
                .0 as i32;
            x += 22 + width + 24;
        }
        root.present().map_err(|e| draw_err(&e))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_month_of_the_range_gets_a_tick() {
        let months = month_starts(d(2016, 9, 17), d(2017, 9, 2));
        assert_eq!(months.first(), Some(&d(2016, 10, 1)));
        assert_eq!(months.last(), Some(&d(2017, 9, 1)));
        assert_eq!(months.len(), 12);
        assert!(
            months
                .windows(2)
                .all(|w| w[0].checked_add_months(chrono::Months::new(1)) == Some(w[1])),
            "consecutive months: {months:?}"
        );
        assert_eq!(
            month_starts(d(2017, 1, 1), d(2017, 1, 1)),
            vec![d(2017, 1, 1)]
        );
    }
}
