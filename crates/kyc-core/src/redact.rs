//! Masking personal data out of log lines: CPFs, CNPJs, e-mail addresses and phone
//! numbers keep only enough to tell them apart (`***.***.*89-09`, `j***@example.com`,
//! `+55*********99`). Applied to every line the app writes to its log files.

/// `line` with CPFs, CNPJs, e-mails and phone numbers masked.
pub fn redact(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        // A run of digits and the punctuation people write them with (CPF/CNPJ masks,
        // `(11) 98765-4321`, `+55 11 98765-4321`, `123 456 789 09`), maybe after a '+'
        // or an opening parenthesis. Up to two separators in a row, if a digit follows.
        let start = i;
        let opens = matches!(chars[i], '+' | '(') && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let mut j = if opens { i + 1 } else { i };
        let mut digits = 0;
        let separator = |c: char| matches!(c, '.' | '-' | '/' | ' ' | '(' | ')');
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                digits += 1;
                j += 1;
                continue;
            }
            let seps = chars[j..].iter().take(3).take_while(|c| separator(**c)).count();
            if digits > 0 && (1..=2).contains(&seps) && chars.get(j + seps).is_some_and(char::is_ascii_digit) {
                j += seps;
                continue;
            }
            break;
        }
        let preceded_by_word = start > 0 && (chars[start - 1].is_alphanumeric() || chars[start - 1] == '_');
        // `2026-11-24 17:30`: a date and the hour of a time, not a document.
        let a_time = chars.get(j) == Some(&':') && chars.get(j + 1).is_some_and(char::is_ascii_digit);
        if digits >= 10 && !preceded_by_word && !a_time {
            // Keep the punctuation and the last two digits.
            let mut seen = 0;
            for &c in &chars[start..j] {
                if c.is_ascii_digit() {
                    seen += 1;
                    out.push(if seen > digits - 2 { c } else { '*' });
                } else {
                    out.push(c);
                }
            }
            i = j;
            continue;
        }
        if chars[i] == '@' && i > 0 {
            // Mask the local part of an e-mail, already written to `out`: keep its first letter.
            let local_len =
                out.chars().rev().take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+')).count();
            if local_len > 1 {
                let keep: String = out.chars().take(out.chars().count() - local_len + 1).collect();
                out = keep + &"*".repeat(3);
            }
            out.push('@');
            i += 1;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn personal_data_is_masked_and_ids_are_not() {
        assert_eq!(redact("cpf=123.456.789-09 ok"), "cpf=***.***.***-09 ok");
        assert_eq!(redact("cpf 12345678909"), "cpf *********09");
        assert_eq!(redact("cnpj 12.345.678/0001-95"), "cnpj **.***.***/****-95");
        assert_eq!(redact("phone +5511999999999"), "phone +***********99");
        // As people write them, with spaces and parentheses.
        assert_eq!(redact("tel (11) 98765-4321."), "tel (**) *****-**21.");
        assert_eq!(redact("tel +55 11 98765-4321"), "tel +** ** *****-**21");
        assert_eq!(redact("cpf 123 456 789 09"), "cpf *** *** *** 09");
        assert_eq!(redact("from joao.silva@example.com now"), "from j***@example.com now");
        // Ids, counts, times and request ids stay readable.
        for keep in [
            "cust_01J8K2M3N4P5Q6R7S8T9V0W",
            "req_4f1c2e9a8b7d6c5e4f3a2b1c0d9e8f7a",
            "2026-11-23T08:37:00Z",
            "pages=3 customers=250",
            "at 2026-11-24 17:30:14.0 +00:00:00",
        ] {
            assert_eq!(redact(keep), keep);
        }
    }

    use proptest::prelude::*;

    fn digits(n: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(0u8..10, n).prop_map(|d| d.iter().map(|x| char::from(b'0' + x)).collect())
    }

    /// Personal identifiers and phone numbers in the formats people and APIs write them:
    /// CPF, CNPJ (masked, bare, spaced), NIN and BVN (11 digits), phones (E.164, with
    /// spaces, with the area code in parentheses, national).
    fn personal() -> impl Strategy<Value = String> {
        prop_oneof![
            digits(11).prop_map(|d| format!("{}.{}.{}-{}", &d[..3], &d[3..6], &d[6..9], &d[9..])),
            digits(11),
            digits(11).prop_map(|d| format!("{} {} {} {}", &d[..3], &d[3..6], &d[6..9], &d[9..])),
            digits(14).prop_map(|d| format!("{}.{}.{}/{}-{}", &d[..2], &d[2..5], &d[5..8], &d[8..12], &d[12..])),
            digits(14),
            digits(11).prop_map(|d| format!("+55{d}")),
            digits(11).prop_map(|d| format!("+55 {} {}-{}", &d[..2], &d[2..7], &d[7..])),
            digits(11).prop_map(|d| format!("({}) {}-{}", &d[..2], &d[2..7], &d[7..])),
            digits(11).prop_map(|d| format!("{} {}-{}", &d[..2], &d[2..7], &d[7..])),
            digits(10).prop_map(|d| format!("+234 {} {} {}", &d[..3], &d[3..6], &d[6..])),
            digits(10).prop_map(|d| format!("+1 ({}) {}-{}", &d[..3], &d[3..6], &d[6..])),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn no_more_than_two_digits_of_personal_data_survive(
            before in "[A-Za-z=: ]{0,12}",
            value in personal(),
            after in "[A-Za-z,;. ]{0,12}",
        ) {
            // A word character glued before the number makes it an id, not personal data.
            let before = if before.ends_with(|c: char| c.is_alphanumeric()) { format!("{before} ") } else { before };
            let masked = redact(&format!("{before}{value}{after}"));
            prop_assert!(!masked.contains(&value), "{masked}");
            let shown = masked.chars().filter(char::is_ascii_digit).count();
            prop_assert!(shown <= 2, "{value} → {masked}");
        }

        #[test]
        fn e_mail_local_parts_are_masked(local in "[a-z][a-z0-9._+-]{1,20}", domain in "[a-z]{2,10}\\.(com|br|ng)") {
            let masked = redact(&format!("sent to {local}@{domain} today"));
            prop_assert!(masked.contains("***@"), "{masked}");
            prop_assert!(!masked.contains(&format!("{local}@")), "{masked}");
        }

        #[test]
        fn any_line_is_handled(line in "\\PC{0,200}") {
            let _ = redact(&line);
        }
    }
}
