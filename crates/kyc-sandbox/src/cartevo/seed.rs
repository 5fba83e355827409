//! Demo customers for the Cartevo flavour: West, Central and East African customers
//! (Nigeria, Cameroon, Ghana, Kenya, Côte d'Ivoire, Senegal) with every document type,
//! every KYC status (mostly APPROVED), documents drawn on the fly, and cards in several
//! states for some approved ones. Deterministic for a size and a `now`.

use super::db::{Card, CardStatus, Customer, DocFile, Kyc, Side, ms};
use super::rules::DOCUMENT_TYPES;
use crate::seed::Rng;
use std::io::Cursor;
use time::{Date, Duration, Month, OffsetDateTime};

struct Country {
    iso: &'static str,
    name: &'static str,
    dial: &'static str,
    /// City, state, postal code.
    places: &'static [(&'static str, &'static str, &'static str)],
    streets: &'static [&'static str],
    first: &'static [&'static str],
    last: &'static [&'static str],
    /// The local number: a fixed prefix and how many random digits follow.
    phone: (&'static str, u32),
}

const COUNTRIES: &[Country] = &[
    Country {
        iso: "NG",
        name: "Nigeria",
        dial: "+234",
        places: &[
            ("Lagos", "Lagos State", "100001"),
            ("Abuja", "Federal Capital Territory", "900001"),
            ("Ibadan", "Oyo State", "200001"),
            ("Kano", "Kano State", "700001"),
        ],
        streets: &["Adeola Odeku Street", "Allen Avenue", "Awolowo Road", "Herbert Macaulay Way"],
        first: &["Chinedu", "Ngozi", "Oluwaseun", "Aisha", "Emeka", "Funmilayo", "Ibrahim", "Yetunde"],
        last: &["Okafor", "Adeyemi", "Bello", "Eze", "Okonkwo", "Balogun", "Abubakar", "Nwosu"],
        phone: ("80", 8),
    },
    Country {
        iso: "CM",
        name: "Cameroon",
        dial: "+237",
        places: &[
            ("Douala", "Littoral", "BP 4120"),
            ("Yaounde", "Centre", "BP 1857"),
            ("Bafoussam", "Ouest", "BP 310"),
        ],
        streets: &["Boulevard de la Liberte", "Rue Joss", "Avenue Kennedy", "Rue Njo-Njo"],
        first: &["Jean", "Marie", "Paul", "Brenda", "Arnaud", "Estelle", "Serge", "Christelle"],
        last: &["Ngono", "Mbarga", "Fotso", "Tchoupo", "Kamga", "Nkoulou", "Etoundi", "Manga"],
        phone: ("6", 8),
    },
    Country {
        iso: "GH",
        name: "Ghana",
        dial: "+233",
        places: &[
            ("Accra", "Greater Accra", "GA-184"),
            ("Kumasi", "Ashanti", "AK-039"),
            ("Tamale", "Northern", "NT-001"),
        ],
        streets: &["Oxford Street", "Liberation Road", "Independence Avenue", "Ring Road Central"],
        first: &["Kwame", "Ama", "Kofi", "Abena", "Yaw", "Akosua", "Kwabena", "Efua"],
        last: &["Mensah", "Owusu", "Boateng", "Asante", "Appiah", "Osei", "Addo", "Ofori"],
        phone: ("24", 7),
    },
    Country {
        iso: "KE",
        name: "Kenya",
        dial: "+254",
        places: &[
            ("Nairobi", "Nairobi County", "00100"),
            ("Mombasa", "Mombasa County", "80100"),
            ("Kisumu", "Kisumu County", "40100"),
        ],
        streets: &["Kenyatta Avenue", "Moi Avenue", "Ngong Road", "Oginga Odinga Street"],
        first: &["Wanjiru", "Otieno", "Achieng", "Kamau", "Njeri", "Mwangi", "Akinyi", "Kipchoge"],
        last: &["Kariuki", "Odhiambo", "Mutua", "Wambui", "Kiprono", "Ochieng", "Njoroge", "Chebet"],
        phone: ("7", 8),
    },
    Country {
        iso: "CI",
        name: "Côte d'Ivoire",
        dial: "+225",
        places: &[
            ("Abidjan", "Lagunes", "01 BP 1234"),
            ("Bouake", "Vallee du Bandama", "BP 1500"),
            ("Yamoussoukro", "Lacs", "BP 800"),
        ],
        streets: &["Boulevard Latrille", "Rue des Jardins", "Avenue Chardy", "Boulevard de Marseille"],
        first: &["Kouassi", "Aya", "Yao", "Adjoua", "Konan", "Affoue", "Koffi", "Awa"],
        last: &["Kouame", "Traore", "Coulibaly", "Kone", "Ouattara", "Bamba", "Diabate", "Yapi"],
        phone: ("07", 8),
    },
    Country {
        iso: "SN",
        name: "Senegal",
        dial: "+221",
        places: &[("Dakar", "Dakar", "10200"), ("Thies", "Thies", "21000"), ("Saint-Louis", "Saint-Louis", "32000")],
        streets: &["Avenue Cheikh Anta Diop", "Rue Carnot", "Boulevard du Centenaire", "Route de Ngor"],
        first: &["Fatou", "Mamadou", "Aminata", "Ousmane", "Awa", "Cheikh", "Mariama", "Abdoulaye"],
        last: &["Diop", "Ndiaye", "Fall", "Sow", "Gueye", "Sarr", "Faye", "Diallo"],
        phone: ("77", 7),
    },
];

/// How far back the demo's customers were created.
const SPAN: Duration = Duration::weeks(6);

/// A deterministic v4-shaped UUID.
fn uuid_from(r: &mut Rng) -> String {
    let bytes: [u8; 16] = (u128::from(r.next()) << 64 | u128::from(r.next())).to_be_bytes();
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

fn digits(r: &mut Rng, n: u32) -> String {
    (0..n).map(|_| char::from(b'0' + (r.next() % 10) as u8)).collect()
}

/// The identification number of the `serial`-th customer with this document type:
/// unique per serial and type.
fn identification(doc_type: &str, prefix: &str, serial: u64) -> String {
    match doc_type {
        "NIN" => format!("{prefix}{:011}", 23_000_000_000u64 + serial),
        "PASSPORT" => format!("{prefix}A{:08}", serial),
        "VOTERS_CARD" => format!("{prefix}90F5B{:014}", serial),
        _ => format!("{prefix}DL{:010}", serial),
    }
}

/// A customer's fields from a generator (the id, times, status and documents aside).
fn person(r: &mut Rng, serial: u64, id_prefix: &str, email_prefix: &str, doc_type: &str) -> Customer {
    let country = &COUNTRIES[r.below(COUNTRIES.len())];
    let first = r.pick(country.first).to_owned();
    let last = r.pick(country.last).to_owned();
    let (city, state, postal) = country.places[r.below(country.places.len())];
    let street = format!("{} {}", 1 + r.below(240), r.pick(country.streets));
    let dob = Date::from_calendar_date(
        1960 + r.below(45) as i32,
        Month::try_from(1 + r.below(12) as u8).unwrap_or(Month::January),
        1 + r.below(28) as u8,
    )
    .unwrap_or(Date::MIN);
    let phone = format!("{}{}", country.phone.0, digits(r, country.phone.1));
    Customer {
        id: String::new(),
        email: format!("{email_prefix}{}.{}{serial}@example.com", first.to_lowercase(), last.to_lowercase()),
        first_name: first,
        last_name: last,
        country: country.name.to_owned(),
        street,
        city: city.to_owned(),
        state: state.to_owned(),
        postal_code: postal.to_owned(),
        country_iso_code: country.iso.to_owned(),
        phone_country_code: country.dial.to_owned(),
        phone_number: phone,
        identification_number: identification(doc_type, id_prefix, serial),
        id_document_type: doc_type.to_owned(),
        date_of_birth: dob,
        front: DocFile::Placeholder,
        back: None,
        is_active: true,
        kyc_status: Kyc::Approved,
        created_at: OffsetDateTime::UNIX_EPOCH,
        updated_at: OffsetDateTime::UNIX_EPOCH,
    }
}

/// Whether a customer of this document type (the `i`-th) has a back: always for NIN and
/// DRIVERS_LICENSE, never for PASSPORT, every other one for VOTERS_CARD.
fn has_back(doc_type: &str, i: usize) -> bool {
    super::BACK_REQUIRED_FOR.contains(&doc_type) || (doc_type == "VOTERS_CARD" && i.is_multiple_of(2))
}

/// The `i`-th of `n` demo customers and its cards: created over the six weeks before
/// `now`, oldest first; every document type; 70 % APPROVED, 20 % PENDING, 10 %
/// REJECTED; two approved customers in three have one or two cards (ACTIVE, FROZEN or
/// TERMINATED).
pub(crate) fn demo_customer(i: usize, n: usize, now: OffsetDateTime) -> (Customer, Vec<Card>) {
    let mut r = Rng((i as u64).wrapping_mul(0x9E37_79B9) ^ 0x0CA4_7E70);
    let doc_type = DOCUMENT_TYPES[i % DOCUMENT_TYPES.len()];
    let mut c = person(&mut r, i as u64, "", "", doc_type);
    c.id = uuid_from(&mut r);
    c.back = has_back(doc_type, i).then_some(DocFile::Placeholder);
    c.kyc_status = match i % 10 {
        3 | 8 => Kyc::Pending,
        6 => Kyc::Rejected,
        _ => Kyc::Approved,
    };
    let span_ms = SPAN.whole_milliseconds() as u64;
    let step = span_ms / n.max(1) as u64;
    let age_ms = span_ms * (n - i) as u64 / n.max(1) as u64 + 60_000 - r.next() % (step / 2).max(1);
    c.created_at = ms(now - Duration::milliseconds(age_ms as i64));
    c.updated_at = match c.kyc_status {
        Kyc::Pending => c.created_at,
        _ => (c.created_at + Duration::minutes(5 + r.below(600) as i64)).min(ms(now)),
    };
    let cards = if c.kyc_status == Kyc::Approved { (i / 2) % 3 } else { 0 };
    let cards = (0..cards)
        .map(|k| {
            let status = match (i + k) % 5 {
                0 | 1 | 3 => CardStatus::Active,
                2 => CardStatus::Frozen,
                _ => CardStatus::Terminated,
            };
            Card {
                id: uuid_from(&mut r),
                customer_id: c.id.clone(),
                status,
                balance_cents: 500 + r.next() % 250_000,
                last4: digits(&mut r, 4),
                brand: if r.below(2) == 0 { "VISA" } else { "MASTERCARD" }.to_owned(),
                name_on_card: format!("{} {}", c.first_name, c.last_name).to_uppercase(),
                created_at: (c.updated_at + Duration::hours(1 + k as i64 * 24)).min(ms(now)),
            }
        })
        .collect();
    (c, cards)
}

/// The `serial`-th customer the churn inserts: approved, created at `created_at`, with
/// an e-mail and identification number no demo customer has.
pub(crate) fn churn_customer(serial: u64, created_at: OffsetDateTime) -> Customer {
    let mut r = Rng(serial.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ 0xC4_u64);
    let doc_type = DOCUMENT_TYPES[(serial % 4) as usize];
    let mut c = person(&mut r, serial, "CH", "churn.", doc_type);
    c.id = uuid::Uuid::new_v4().to_string();
    c.back = has_back(doc_type, serial as usize).then_some(DocFile::Placeholder);
    c.created_at = created_at;
    c.updated_at = created_at;
    c
}

fn hash(s: &str) -> u32 {
    s.bytes().fold(2_166_136_261u32, |h, b| (h ^ u32::from(b)).wrapping_mul(16_777_619))
}

/// A picture of one side of an ID card (a PNG of 480×300), deterministic for its inputs:
/// a coloured card with a border, on the front a photo box and lines of "text", on the
/// back a stripe and a barcode.
pub(crate) fn document_png(holder: &str, doc_type: &str, side: Side, seed: &str) -> Vec<u8> {
    let h = hash(&format!("{seed}/{doc_type}/{holder}"));
    let (w, ht) = (480u32, 300u32);
    let base = [(h & 0x3F) as u8 + 150, ((h >> 8) & 0x3F) as u8 + 150, ((h >> 16) & 0x3F) as u8 + 150];
    let type_band = match doc_type {
        "NIN" => [0, 120, 60],
        "PASSPORT" => [20, 40, 110],
        "VOTERS_CARD" => [140, 60, 20],
        _ => [90, 20, 90],
    };
    let img = image::RgbImage::from_fn(w, ht, |x, y| {
        let border = x < 8 || y < 8 || x >= w - 8 || y >= ht - 8;
        let band = (8..48).contains(&y);
        let pixel = match side {
            Side::Front => {
                let photo = (28..148).contains(&x) && (70..260).contains(&y);
                let line = (170..450).contains(&x) && (y % 32) < 8 && (80..260).contains(&y);
                if border {
                    [30, 45, 60]
                } else if band {
                    type_band
                } else if photo {
                    [base[0] / 2, base[1] / 2, base[2] / 2]
                } else if line {
                    [60, 60, 60]
                } else {
                    base
                }
            }
            Side::Back => {
                let stripe = (70..120).contains(&y);
                let barcode =
                    (40..440).contains(&x) && (190..260).contains(&y) && (hash(&format!("{h}{}", x / 4)) & 1 == 0);
                if border {
                    [30, 45, 60]
                } else if stripe {
                    [25, 25, 25]
                } else if barcode {
                    [10, 10, 10]
                } else if band {
                    type_band
                } else {
                    base
                }
            }
        };
        image::Rgb(pixel)
    });
    let mut out = Cursor::new(Vec::new());
    // Encoding an in-memory RGB image to PNG cannot fail.
    let _ = img.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::super::rules;
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn demo_customers_pass_the_api_rules_and_cover_every_case() {
        let now = OffsetDateTime::now_utc();
        let all: Vec<(Customer, Vec<Card>)> = (0..40).map(|i| demo_customer(i, 40, now)).collect();
        for (c, _) in &all {
            let values: HashMap<String, String> = [
                ("first_name", c.first_name.clone()),
                ("last_name", c.last_name.clone()),
                ("email", c.email.clone()),
                ("country", c.country.clone()),
                ("street", c.street.clone()),
                ("city", c.city.clone()),
                ("state", c.state.clone()),
                ("postal_code", c.postal_code.clone()),
                ("country_iso_code", c.country_iso_code.clone()),
                ("country_phone_code", c.phone_country_code.clone()),
                ("phone_number", c.phone_number.clone()),
                ("identification_number", c.identification_number.clone()),
                ("id_document_type", c.id_document_type.clone()),
                ("date_of_birth", c.date_of_birth.to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            rules::registration(&values).unwrap_or_else(|e| panic!("{e:?} in {c:?}"));
            assert!(rules::is_adult(c.date_of_birth, now.date()));
            assert!(c.created_at < now && c.updated_at <= now && c.created_at <= c.updated_at);
            if rules::DOCUMENT_TYPES[..2].contains(&c.id_document_type.as_str()) {
                assert_eq!(c.back.is_some(), c.id_document_type == "NIN");
            }
        }
        let ids: HashSet<&str> = all.iter().map(|(c, _)| c.id.as_str()).collect();
        assert_eq!(ids.len(), 40);
        let emails: HashSet<&str> = all.iter().map(|(c, _)| c.email.as_str()).collect();
        assert_eq!(emails.len(), 40);
        for t in rules::DOCUMENT_TYPES {
            assert!(all.iter().any(|(c, _)| c.id_document_type == t), "{t}");
        }
        for k in [Kyc::Pending, Kyc::Approved, Kyc::Rejected] {
            assert!(all.iter().any(|(c, _)| c.kyc_status == k), "{k:?}");
        }
        let countries: HashSet<&str> = all.iter().map(|(c, _)| c.country.as_str()).collect();
        assert!(countries.len() >= 5, "{countries:?}");
        let cards: Vec<&Card> = all.iter().flat_map(|(_, cs)| cs).collect();
        for s in [CardStatus::Active, CardStatus::Frozen, CardStatus::Terminated] {
            assert!(cards.iter().any(|c| c.status == s), "{s:?}");
        }
        assert!(all.iter().any(|(_, cs)| cs.len() == 2));
        assert!(all.iter().all(|(c, cs)| cs.is_empty() || c.kyc_status == Kyc::Approved));
        assert_eq!(demo_customer(7, 40, now).0.id, all[7].0.id, "deterministic");
    }

    #[test]
    fn documents_are_readable_pngs_of_at_least_200_pixels() {
        for side in [Side::Front, Side::Back] {
            let png = document_png("Ngozi Okafor", "NIN", side, "x");
            assert_eq!(crate::docs::sniff(&png), Some("image/png"));
            let img = image::load_from_memory(&png).unwrap();
            assert!(img.width() >= 200 && img.height() >= 200);
        }
    }
}
