//! The date words quick capture understands. Relative words are read against the user's
//! today; weeks start on Monday, so "next friday" is the Friday of next week even when this
//! week's Friday is still ahead.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// What the words at one position mean.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum DateWords {
    /// A date read from `len` words, with a label saying how it was read ("next Friday").
    Date {
        len: usize,
        date: NaiveDate,
        label: String,
    },
    /// Shaped like `YYYY-MM-DD` but no such day (2026-02-30).
    Invalid,
    /// Not a date.
    None,
}

/// Reads a date from up to three words, lower-cased and without punctuation; an empty word
/// ends the expression. Results outside chrono's calendar are not dates.
pub(super) fn read(words: [&str; 3], today: NaiveDate) -> DateWords {
    let date = |len: usize, date: Option<NaiveDate>, label: String| match date {
        Some(date) => DateWords::Date { len, date, label },
        None => DateWords::None,
    };
    let [w, next, unit] = words;
    let from_monday = today.weekday().num_days_from_monday();
    match w {
        "today" => return date(1, Some(today), "today".into()),
        "tomorrow" | "tmrw" => return date(1, today.succ_opt(), "tomorrow".into()),
        "next" => {
            let monday = today.checked_add_days(Days::new(u64::from(7 - from_monday)));
            if next == "week" {
                return date(2, monday, "next week".into());
            }
            if let Some(wd) = weekday(next) {
                let days = Days::new(wd.num_days_from_monday().into());
                let due = monday.and_then(|m| m.checked_add_days(days));
                return date(2, due, format!("next {}", weekday_name(wd)));
            }
        }
        "in" => {
            let count = match next {
                "a" | "an" | "one" => Some(1),
                n if !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()) => {
                    n.parse::<u64>().ok()
                }
                _ => None,
            };
            // About ten years, the same horizon as template offsets.
            let days = match (count, unit) {
                (Some(n), "day" | "days") if n <= 3650 => Some(n),
                (Some(n), "week" | "weeks") if n <= 520 => Some(n * 7),
                _ => None,
            };
            if let Some(days) = days {
                let label = match next {
                    "a" | "an" | "one" => format!("in a {unit}"),
                    n => format!("in {n} {unit}"),
                };
                return date(3, today.checked_add_days(Days::new(days)), label);
            }
        }
        _ => {}
    }
    if let Some(wd) = weekday(w) {
        // The next one strictly after today: "friday" said on a Friday means a week ahead.
        let ahead = match (wd.num_days_from_monday() + 7 - from_monday) % 7 {
            0 => 7,
            n => n,
        };
        let due = today.checked_add_days(Days::new(u64::from(ahead)));
        return date(1, due, weekday_name(wd).into());
    }
    if looks_iso(w) {
        return match NaiveDate::parse_from_str(w, "%Y-%m-%d") {
            Ok(d) => DateWords::Date {
                len: 1,
                date: d,
                label: weekday_name(d.weekday()).into(),
            },
            Err(_) => DateWords::Invalid,
        };
    }
    DateWords::None
}

/// Weekday names and their usual abbreviations.
fn weekday(word: &str) -> Option<Weekday> {
    Some(match word {
        "monday" | "mon" => Weekday::Mon,
        "tuesday" | "tue" | "tues" => Weekday::Tue,
        "wednesday" | "wed" => Weekday::Wed,
        "thursday" | "thu" | "thur" | "thurs" => Weekday::Thu,
        "friday" | "fri" => Weekday::Fri,
        "saturday" | "sat" => Weekday::Sat,
        "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    })
}

fn weekday_name(wd: Weekday) -> &'static str {
    match wd {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Exactly `DDDD-DD-DD`: anything else is not even trying to be a date.
fn looks_iso(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn read_str(words: &str, today: &str) -> Option<(usize, NaiveDate)> {
        let mut w: Vec<&str> = words.split(' ').collect();
        w.resize(3, "");
        match read([w[0], w[1], w[2]], d(today)) {
            DateWords::Date { len, date, .. } => Some((len, date)),
            _ => None,
        }
    }

    #[test]
    fn each_weekday_from_each_weekday_is_one_to_seven_days_ahead() {
        // 2026-11-16 is a Monday.
        for offset in 0..7 {
            let today = d("2026-11-16") + Days::new(offset);
            for name in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
                let (_, due) = read_str(name, &today.to_string()).unwrap();
                let ahead = (due - today).num_days();
                assert!((1..=7).contains(&ahead), "{name} from {today}");
                assert_eq!(due.weekday(), weekday(name).unwrap());
            }
        }
    }

    #[test]
    fn next_weekday_is_always_in_next_monday_based_week() {
        for offset in 0..7 {
            let today = d("2026-11-16") + Days::new(offset);
            let (_, monday) = read_str("next week", &today.to_string()).unwrap();
            assert_eq!(monday, d("2026-11-23"));
            let (len, sunday) = read_str("next sunday", &today.to_string()).unwrap();
            assert_eq!((len, sunday), (2, d("2026-11-29")));
        }
    }

    #[test]
    fn in_counts_days_and_weeks_within_ten_years() {
        let table = [
            ("in 0 days", Some((3, "2026-11-21"))),
            ("in 1 day", Some((3, "2026-11-22"))),
            ("in one week", Some((3, "2026-11-28"))),
            ("in an day", Some((3, "2026-11-22"))),
            ("in 3650 days", Some((3, "2036-11-18"))),
            ("in 3651 days", None),
            ("in 521 weeks", None),
            ("in 3", None),
            ("in 3 months", None),
            ("in -3 days", None),
            ("in", None),
        ];
        for (words, want) in table {
            assert_eq!(
                read_str(words, "2026-11-21"),
                want.map(|(len, s)| (len, d(s))),
                "{words}"
            );
        }
    }

    #[test]
    fn iso_dates_must_be_real_days() {
        assert_eq!(
            read(["2028-02-29", "", ""], d("2026-11-21")),
            DateWords::Date {
                len: 1,
                date: d("2028-02-29"),
                label: "Tuesday".into()
            }
        );
        assert_eq!(
            read(["2026-02-29", "", ""], d("2026-11-21")),
            DateWords::Invalid
        );
        assert_eq!(read(["2026-2-1", "", ""], d("2026-11-21")), DateWords::None);
        assert_eq!(read(["20261121", "", ""], d("2026-11-21")), DateWords::None);
    }

    #[test]
    fn the_end_of_the_calendar_is_not_a_date() {
        let last = NaiveDate::MAX;
        assert_eq!(read(["tomorrow", "", ""], last), DateWords::None);
        assert_eq!(read(["next", "week", ""], last), DateWords::None);
        assert_eq!(read(["in", "2", "days"], last), DateWords::None);
    }
}
