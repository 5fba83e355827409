//! Masking personal data out of log lines: CPFs, CNPJs, e-mail addresses and phone
//! numbers keep only enough to tell them apart (`***.***.*89-09`, `j***@example.com`,
//! `+55*********99`). Applied to every line the app writes to its log files.

/// `line` with CPFs, CNPJs, e-mails and phone numbers masked.
pub fn redact(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        // A run of digits and the punctuation of CPF/CNPJ/phone masks, maybe after a '+'.
        let start = i;
        let plus = chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let mut j = if plus { i + 1 } else { i };
        let mut digits = 0;
        while j < chars.len()
            && (chars[j].is_ascii_digit()
                || (matches!(chars[j], '.' | '-' | '/')
                    && digits > 0
                    && chars.get(j + 1).is_some_and(char::is_ascii_digit)))
        {
            if chars[j].is_ascii_digit() {
                digits += 1;
            }
            j += 1;
        }
        let preceded_by_word = start > 0 && (chars[start - 1].is_alphanumeric() || chars[start - 1] == '_');
        if digits >= 10 && !preceded_by_word {
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
        assert_eq!(redact("from joao.silva@example.com now"), "from j***@example.com now");
        // Ids, counts, times and request ids stay readable.
        for keep in [
            "cust_01J8K2M3N4P5Q6R7S8T9V0W",
            "req_4f1c2e9a8b7d6c5e4f3a2b1c0d9e8f7a",
            "2026-11-23T08:37:00Z",
            "pages=3 customers=250",
        ] {
            assert_eq!(redact(keep), keep);
        }
    }
}
