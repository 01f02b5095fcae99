//! Working-day arithmetic. Templates place milestones and tasks a number of *working* days
//! from a project's start, so a plan made once lands on sensible dates whatever weekday the
//! project starts on and whichever days a workspace works.

use chrono::{Datelike, Days, NaiveDate};

/// Monday to Friday, the working week most workspaces start with.
pub const MONDAY_TO_FRIDAY: &[u32] = &[1, 2, 3, 4, 5];

/// Which ISO weekdays (index 0 = Monday) count. Values outside 1..=7 are ignored, and a week
/// with no working day at all counts every day: a workspace cannot configure its way into an
/// endless search for the next working day.
fn week_mask(working: &[u32]) -> [bool; 7] {
    let mut mask = [false; 7];
    for &d in working {
        if (1..=7).contains(&d) {
            mask[(d - 1) as usize] = true;
        }
    }
    if mask.iter().any(|&w| w) {
        mask
    } else {
        [true; 7]
    }
}

fn works(mask: &[bool; 7], date: NaiveDate) -> bool {
    mask[date.weekday().num_days_from_monday() as usize]
}

/// Whether `date` is a working day, given the ISO weekdays (1 = Monday .. 7 = Sunday) that
/// count. An empty slice means every day counts.
pub fn is_working_day(date: NaiveDate, working: &[u32]) -> bool {
    works(&week_mask(working), date)
}

/// The date `offset` working days from `start`.
///
/// Offset 0 is `start` itself, rolled forward to the next working day when `start` is not
/// one (a project starting on a Saturday really starts on Monday). Other offsets count
/// working days from that rolled date, forward when positive and backward when negative, so
/// offsets stay monotonic: a larger offset never gives an earlier date. `working` holds ISO
/// weekdays (1 = Monday .. 7 = Sunday); an empty slice or all seven means every day counts.
///
/// Never panics: a result beyond chrono's calendar saturates at `NaiveDate::MIN`/`MAX`.
pub fn add_working_days(start: NaiveDate, offset: i32, working: &[u32]) -> NaiveDate {
    let mask = week_mask(working);
    let forward = offset >= 0;
    let saturated = if forward {
        NaiveDate::MAX
    } else {
        NaiveDate::MIN
    };

    let mut date = start;
    while !works(&mask, date) {
        match date.succ_opt() {
            Some(next) => date = next,
            None => return NaiveDate::MAX,
        }
    }

    // Whole weeks first, so a large offset costs the same as a small one; the weekday (and
    // so "is a working day") is unchanged by a whole week.
    let per_week = mask.iter().filter(|&&w| w).count() as u64;
    let remaining = u64::from(offset.unsigned_abs());
    let weeks = Days::new(remaining / per_week * 7);
    let moved = if forward {
        date.checked_add_days(weeks)
    } else {
        date.checked_sub_days(weeks)
    };
    let Some(mut date) = moved else {
        return saturated;
    };

    for _ in 0..remaining % per_week {
        loop {
            let next = if forward {
                date.succ_opt()
            } else {
                date.pred_opt()
            };
            match next {
                Some(d) => date = d,
                None => return saturated,
            }
            if works(&mask, date) {
                break;
            }
        }
    }
    date
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The slow, obviously right version the fast one is checked against.
    fn naive(start: NaiveDate, offset: i32, working: &[u32]) -> NaiveDate {
        let mut date = start;
        while !is_working_day(date, working) {
            date = date.succ_opt().unwrap();
        }
        let mut left = offset.unsigned_abs();
        while left > 0 {
            date = if offset > 0 {
                date.succ_opt().unwrap()
            } else {
                date.pred_opt().unwrap()
            };
            if is_working_day(date, working) {
                left -= 1;
            }
        }
        date
    }

    // 2026-11-16 is a Monday.
    #[test]
    fn weekday_offsets_on_a_monday_to_friday_week() {
        let table: &[(&str, i32, &str, &str)] = &[
            ("2026-11-16", 0, "2026-11-16", "Monday stays"),
            ("2026-11-16", 1, "2026-11-17", "next day"),
            ("2026-11-16", 4, "2026-11-20", "Friday"),
            ("2026-11-16", 5, "2026-11-23", "skips the weekend"),
            ("2026-11-16", 10, "2026-11-30", "two weeks"),
            ("2026-11-20", 1, "2026-11-23", "Friday + 1 is Monday"),
            ("2026-11-21", 0, "2026-11-23", "Saturday rolls to Monday"),
            ("2026-11-22", 0, "2026-11-23", "Sunday rolls to Monday"),
            ("2026-11-21", 1, "2026-11-24", "Saturday + 1 is Tuesday"),
            ("2026-11-16", -1, "2026-11-13", "Monday - 1 is Friday"),
            ("2026-11-18", -2, "2026-11-16", "Wednesday - 2 is Monday"),
            ("2026-11-18", -5, "2026-11-11", "a week back"),
            ("2026-11-21", -1, "2026-11-20", "Saturday - 1 is Friday"),
            ("2026-12-31", 1, "2027-01-01", "over the year end"),
            ("2028-02-28", 1, "2028-02-29", "leap day"),
        ];
        for &(start, offset, want, why) in table {
            assert_eq!(
                add_working_days(d(start), offset, MONDAY_TO_FRIDAY),
                d(want),
                "{why}: {start} {offset:+}"
            );
        }
    }

    #[test]
    fn an_empty_or_full_week_counts_every_day() {
        for working in [&[][..], &[1, 2, 3, 4, 5, 6, 7][..], &[0, 8, 99][..]] {
            assert_eq!(
                add_working_days(d("2026-11-21"), 0, working),
                d("2026-11-21")
            );
            assert_eq!(
                add_working_days(d("2026-11-21"), 3, working),
                d("2026-11-24")
            );
            assert_eq!(
                add_working_days(d("2026-11-21"), -3, working),
                d("2026-11-18")
            );
            assert!(is_working_day(d("2026-11-22"), working));
        }
    }

    #[test]
    fn a_sunday_to_thursday_week() {
        let working = [7, 1, 2, 3, 4];
        assert!(is_working_day(d("2026-11-22"), &working));
        assert!(!is_working_day(d("2026-11-20"), &working));
        assert_eq!(
            add_working_days(d("2026-11-19"), 1, &working),
            d("2026-11-22")
        );
        assert_eq!(
            add_working_days(d("2026-11-20"), 0, &working),
            d("2026-11-22")
        );
    }

    #[test]
    fn duplicates_in_the_week_do_not_change_the_count() {
        assert_eq!(
            add_working_days(d("2026-11-16"), 5, &[1, 1, 2, 3, 4, 5, 5]),
            d("2026-11-23")
        );
    }

    #[test]
    fn matches_day_by_day_counting_for_many_weeks_and_offsets() {
        let weeks: &[&[u32]] = &[&[1, 2, 3, 4, 5], &[2, 4], &[6], &[1, 3, 5, 7], &[]];
        let start = d("2026-11-01");
        for working in weeks {
            for day in 0..14 {
                let s = start + Days::new(day);
                for offset in -40..=40 {
                    assert_eq!(
                        add_working_days(s, offset, working),
                        naive(s, offset, working),
                        "{s} {offset:+} {working:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn extreme_offsets_saturate_instead_of_panicking() {
        assert_eq!(
            add_working_days(d("2026-11-16"), i32::MAX, &[1]),
            NaiveDate::MAX
        );
        assert_eq!(
            add_working_days(d("2026-11-16"), i32::MIN, &[1]),
            NaiveDate::MIN
        );
        assert_eq!(add_working_days(NaiveDate::MAX, 0, &[1]), NaiveDate::MAX);
        assert_eq!(add_working_days(NaiveDate::MIN, -1, &[]), NaiveDate::MIN);
        // Large but representable: 3650 working days is about 14 years.
        assert_eq!(
            add_working_days(d("2026-11-16"), 3650, MONDAY_TO_FRIDAY),
            naive(d("2026-11-16"), 3650, MONDAY_TO_FRIDAY)
        );
    }
}
