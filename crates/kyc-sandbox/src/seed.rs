//! Realistic Brazilian demo customers: valid CPFs and CNPJs, MEI trading names, every
//! status, kyc arrays consistent with the status. Deterministic for a given size, so
//! tests can compute what the app should show.

use crate::records::{CreditOffer, KycItemRecord, SandboxCustomer};
use kyc_model::{Cnpj, Cpf};
use time::{Duration, OffsetDateTime};

const FIRST: &[&str] = &[
    "Ana",
    "João",
    "Maria",
    "José",
    "Francisca",
    "Antônio",
    "Adriana",
    "Carlos",
    "Juliana",
    "Paulo",
    "Márcia",
    "Lucas",
    "Fernanda",
    "Rafael",
    "Patrícia",
    "Gabriel",
    "Aline",
    "Bruno",
    "Camila",
    "Diego",
    "Letícia",
    "Eduardo",
    "Beatriz",
    "Felipe",
    "Larissa",
    "Gustavo",
    "Vanessa",
    "Thiago",
    "Sônia",
    "Ricardo",
    "Luíza",
    "Marcelo",
    "Renata",
    "Vinícius",
    "Tatiane",
    "Leandro",
    "Cláudia",
    "Rodrigo",
    "Simone",
    "Fábio",
];
const LAST: &[&str] = &[
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
];
const TRADES: &[&str] = &[
    "Padaria",
    "Ateliê",
    "Mercearia",
    "Salão",
    "Oficina",
    "Doceria",
    "Lanchonete",
    "Papelaria",
    "Barbearia",
    "Floricultura",
    "Pet Shop",
    "Açaí",
    "Costura",
    "Marmitaria",
    "Bazar",
];
const DDD: &[u32] = &[11, 21, 31, 41, 51, 61, 71, 81, 85, 92, 27, 48];

/// SplitMix64: small, fast, deterministic.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(crate) fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn digits<const N: usize>(&mut self) -> [u8; N] {
        std::array::from_fn(|_| (self.next() % 10) as u8)
    }
}

fn ascii_fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'â' | 'ã' | 'à' => 'a',
            'é' | 'ê' => 'e',
            'í' => 'i',
            'ó' | 'ô' | 'õ' => 'o',
            'ú' | 'ü' => 'u',
            'ç' => 'c',
            'Á' | 'Â' => 'A',
            'É' => 'E',
            'Ó' => 'O',
            other => other,
        })
        .collect()
}

/// A deterministic `cust_` id in the ULID alphabet.
pub fn customer_id(n: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut r = Rng(n.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5EED);
    let mut id = String::from("cust_01J");
    for _ in 0..23 {
        id.push(ALPHABET[(r.next() % 32) as usize] as char);
    }
    id
}

/// The kyc items a profile requires: without CNPJ, identity front/back, selfie, proof
/// of address and biometrics; with a CNPJ also the MEI certificate.
pub fn required_items(has_cnpj: bool) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![
        ("identity_card_front", "RG (frente)"),
        ("identity_card_back", "RG (verso)"),
        ("selfie", "Selfie"),
        ("proof_of_address", "Comprovante de endereço"),
        ("biometrics", "Biometria facial"),
    ];
    if has_cnpj {
        v.insert(0, ("ccmei", "Certificado MEI"));
    }
    v
}

const REJECTIONS: &[&str] = &[
    "Documento ilegível: envie uma foto sem reflexo",
    "Foto cortada: o documento inteiro deve aparecer",
    "Comprovante com mais de 90 dias",
    "Selfie não corresponde ao documento",
];

/// The credit offer the sandbox makes to an active customer: an amount from R$ 5.000
/// to R$ 80.000 and a monthly rate from 1.9 % to 4.8 %, derived from the customer's id.
pub fn offer_for(c: &SandboxCustomer, now: OffsetDateTime) -> CreditOffer {
    let h = c.id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let amount = 5_000 + (h % 151) * 500;
    let rate = 1.9 + ((h >> 16) % 30) as f64 / 10.0;
    CreditOffer {
        id: format!("co_{}", &c.id.trim_start_matches("cust_")),
        customer_id: c.id.clone(),
        external_id: c.external_id.clone(),
        status: "available".into(),
        approved_amount: format!("{amount}.00"),
        interest_rate: (rate * 10.0).round() / 10.0,
        expires_at: now + Duration::days(30),
        created_at: now,
    }
}

/// The demo's `i`-th customer's full name (what the list shows for it).
pub fn demo_name(i: usize) -> String {
    let mut r = Rng(i as u64 ^ 0xD1E_u64.rotate_left(20));
    let first = r.pick(FIRST);
    let last1 = r.pick(LAST);
    let last2 = r.pick(LAST);
    if last1 == last2 { format!("{first} {last1}") } else { format!("{first} {last1} {last2}") }
}

/// `n` demo customers, created over the days before `now`, oldest first.
pub fn demo(n: usize, now: OffsetDateTime) -> Vec<SandboxCustomer> {
    (0..n).map(|i| demo_customer(i, n, now)).collect()
}

/// The `i`-th of `n` demo customers (for generating large sets a piece at a time).
pub fn demo_customer(i: usize, n: usize, now: OffsetDateTime) -> SandboxCustomer {
    let mut r = Rng((i as u64).wrapping_mul(7919) ^ 0xC0FFEE);
    let name = demo_name(i);
    let first = name.split(' ').next().unwrap_or("cliente");
    let last = name.rsplit(' ').next().unwrap_or("silva");
    let has_cnpj = r.below(10) < 4;
    let cpf = Cpf::from_base(r.digits::<9>()).formatted();
    let cnpj = has_cnpj.then(|| {
        let mut base = r.digits::<12>();
        base[8..12].copy_from_slice(&[0, 0, 0, 1]);
        Cnpj::from_base(base).formatted()
    });
    let trading_name = has_cnpj.then(|| format!("{} {}", r.pick(TRADES), if r.below(2) == 0 { last } else { first }));
    let email = format!("{}.{}{}@example.com", ascii_fold(first), ascii_fold(last), i).to_lowercase();
    let phone = format!("+55{}9{:08}", DDD[r.below(DDD.len())], r.next() % 100_000_000);
    // Spread creation over the past weeks; the newest a few minutes ago.
    let age_minutes = ((n - i) as i64) * 97 + r.below(40) as i64;
    let created_at = now - Duration::minutes(age_minutes);
    let updated_at = (created_at + Duration::minutes(r.below(600) as i64 + 1)).min(now);
    let status = match i % 10 {
        0..=4 => "pending_kyc",
        5..=7 => "under_review",
        _ => "active",
    };
    let kyc = required_items(has_cnpj)
        .into_iter()
        .enumerate()
        .map(|(k, (item_type, description))| {
            let (st, message) = match status {
                "active" => ("approved", None),
                "under_review" => (if k % 2 == 0 { "approved" } else { "in_review" }, None),
                _ => match (i + k) % 4 {
                    0 => ("approved", None),
                    1 => ("rejected", Some(REJECTIONS[(i + k) % REJECTIONS.len()].to_owned())),
                    2 => ("in_review", None),
                    _ => ("pending", None),
                },
            };
            KycItemRecord {
                kind: "document".into(),
                item_type: item_type.into(),
                description: description.into(),
                status: st.into(),
                message,
                uploaded_at: (st != "pending").then_some(created_at + Duration::minutes(5 + k as i64)),
            }
        })
        .chain((status == "pending_kyc" && i % 7 == 3).then(|| KycItemRecord {
            kind: "data".into(),
            item_type: "email".into(),
            description: "E-mail".into(),
            status: "pending_correction".into(),
            message: Some("E-mail retornou como inexistente".into()),
            uploaded_at: None,
        }))
        .collect();
    SandboxCustomer {
        id: customer_id(i as u64),
        status: status.into(),
        cpf,
        cnpj,
        name,
        email,
        phone,
        trading_name,
        external_id: Some(format!("partner-ref-{}", 1000 + i)),
        kyc,
        created_at,
        updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_customers_are_valid_and_cover_every_status() {
        let cs = demo(60, OffsetDateTime::now_utc());
        for c in &cs {
            assert!(Cpf::parse(&c.cpf).is_ok(), "{}", c.cpf);
            if let Some(cnpj) = &c.cnpj {
                assert!(Cnpj::parse(cnpj).is_ok(), "{cnpj}");
                assert!(c.trading_name.is_some());
                assert!(c.kyc.iter().any(|k| k.item_type == "ccmei"));
            }
            assert!(kyc_model::Email::parse(&c.email).is_ok(), "{}", c.email);
            assert!(kyc_model::Phone::parse(&c.phone).is_ok(), "{}", c.phone);
            if c.status == "active" {
                assert!(c.kyc.iter().all(|k| k.status == "approved"));
            }
        }
        for s in ["pending_kyc", "under_review", "active"] {
            assert!(cs.iter().any(|c| c.status == s), "{s}");
        }
        assert!(cs.iter().any(|c| c.kyc.iter().any(|k| k.status == "rejected" && k.message.is_some())));
        assert!(cs.iter().any(|c| c.kyc.iter().any(|k| k.status == "pending_correction")));
        let ids: std::collections::HashSet<_> = cs.iter().map(|c| &c.id).collect();
        assert_eq!(ids.len(), 60);
        assert_eq!(cs[7].name, demo_name(7));
    }
}
