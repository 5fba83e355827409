//! The validators read outside input (what staff type, what an API sends): none may
//! panic, whatever the input, and what they accept they accept in every form.

use kyc_model::{Belongs, Cnpj, Cpf, Email, Phone};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn no_input_panics_a_validator(s in "\\PC{0,40}", country in "[A-Za-z]{0,3}") {
        let _ = Cpf::parse(&s);
        let _ = Cnpj::parse(&s);
        let _ = Email::parse(&s);
        let _ = Phone::parse(&s);
        let _ = Phone::parse_in(&s, &country, Belongs::Preferred);
        let _ = Phone::parse_in(&s, "BR", Belongs::Required);
        if let Ok(p) = Phone::parse(&s) { let _ = p.formatted(); }
    }

    #[test]
    fn phone_like_input_never_panics(s in "[+0-9 ().-]{0,30}") {
        for country in ["BR", "NG", "US", "GB", "KE", "ZZ"] {
            if let Ok(p) = Phone::parse_in(&s, country, Belongs::Preferred) {
                // What is accepted is E.164, and reads back the same however it is shown.
                prop_assert!(Phone::parse(p.as_str()).is_ok());
                let again = Phone::parse_in(&p.formatted(), country, Belongs::Preferred).unwrap();
                prop_assert_eq!(again.as_str(), p.as_str());
            }
        }
    }

    #[test]
    fn a_brazilian_mobile_is_read_the_same_in_every_usual_form(ddd in 11u8..=99, rest in 0u32..100_000_000) {
        prop_assume!(Phone::parse_in(&format!("{ddd} 90000-0000"), "BR", Belongs::Preferred).is_ok());
        let sub = format!("9{rest:08}");
        let e164 = format!("+55{ddd}{sub}");
        for typed in [
            format!("{ddd}{sub}"),
            format!("({ddd}) {}-{}", &sub[..5], &sub[5..]),
            format!("0{ddd} {}-{}", &sub[..5], &sub[5..]),
            format!("+55 {ddd} {}-{}", &sub[..5], &sub[5..]),
            e164.clone(),
        ] {
            let p = Phone::parse_in(&typed, "BR", Belongs::Preferred).unwrap();
            prop_assert_eq!(p.as_str(), e164.as_str(), "{}", typed);
        }
    }

    #[test]
    fn a_valid_cpf_is_accepted_masked_or_bare(base in proptest::array::uniform9(0u8..10)) {
        let cpf = Cpf::from_base(base);
        let masked = cpf.formatted();
        let bare: String = masked.chars().filter(char::is_ascii_digit).collect();
        prop_assert_eq!(Cpf::parse(&masked).unwrap(), cpf.clone());
        prop_assert_eq!(Cpf::parse(&bare).unwrap(), cpf);
    }
}
