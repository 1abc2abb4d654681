//! Where the window opens: where it was last, if that place is still on a connected monitor.
//! A laptop taken off its docking station must not open its window on a screen that is gone.

use crate::settings::WindowPlace;

/// A monitor's area, in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// The smallest window kept: a saved size below it is not restored.
const MIN_SIZE: (f64, f64) = (320.0, 240.0);
/// How much of the window's top edge must be on a monitor for a person to grab and move it.
const GRIP: (f64, f64) = (120.0, 40.0);

/// The size to restore, if it is a sensible one.
pub fn size(place: &WindowPlace) -> Option<(f64, f64)> {
    (place.width >= MIN_SIZE.0 && place.height >= MIN_SIZE.1).then_some((place.width, place.height))
}

/// Whether the saved position puts enough of the window's top edge on one of `monitors` to
/// be seen and grabbed. With no monitor known, it is not trusted.
pub fn position_is_visible(place: &WindowPlace, monitors: &[Area]) -> bool {
    monitors.iter().any(|m| {
        let left = place.x.max(m.x);
        let right = (place.x + place.width).min(m.x + m.width);
        let top = place.y.max(m.y);
        let bottom = (place.y + GRIP.1).min(m.y + m.height);
        right - left >= GRIP.0.min(place.width) && bottom - top >= GRIP.1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAPTOP: Area = Area {
        x: 0.0,
        y: 0.0,
        width: 1440.0,
        height: 900.0,
    };
    const DOCKED: Area = Area {
        x: 1440.0,
        y: 0.0,
        width: 2560.0,
        height: 1440.0,
    };

    fn at(x: f64, y: f64) -> WindowPlace {
        WindowPlace {
            width: 980.0,
            height: 720.0,
            x,
            y,
        }
    }

    #[test]
    fn a_window_on_a_connected_monitor_opens_where_it_was() {
        assert!(position_is_visible(&at(100.0, 80.0), &[LAPTOP]));
        assert!(position_is_visible(&at(2000.0, 300.0), &[LAPTOP, DOCKED]));
    }

    #[test]
    fn a_window_left_on_a_monitor_that_is_gone_does_not_open_there() {
        assert!(!position_is_visible(&at(2000.0, 300.0), &[LAPTOP]));
    }

    #[test]
    fn a_window_whose_top_edge_is_off_every_screen_is_not_trusted() {
        assert!(!position_is_visible(&at(100.0, -700.0), &[LAPTOP]));
        assert!(!position_is_visible(&at(1400.0, 100.0), &[LAPTOP]));
    }

    #[test]
    fn with_no_monitor_known_the_position_is_not_used() {
        assert!(!position_is_visible(&at(100.0, 80.0), &[]));
    }

    #[test]
    fn a_tiny_saved_size_is_not_restored() {
        let tiny = WindowPlace {
            width: 100.0,
            height: 50.0,
            x: 0.0,
            y: 0.0,
        };
        assert_eq!(size(&tiny), None);
        assert_eq!(size(&at(0.0, 0.0)), Some((980.0, 720.0)));
    }
}
