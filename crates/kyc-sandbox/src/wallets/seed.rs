//! Demo data for the wallets flavour: individuals and businesses (about one in four) in
//! Nigeria, Ghana, Kenya, the United Kingdom, the United States, South Africa and
//! Canada with phones of their country, mostly `active` with NGN and USD wallets (some
//! frozen, a few deleted), bank accounts and transactions, some `pending_kyc`; BVN
//! records for the Nigerian individuals; bank accounts and people for the API to hand
//! out. Deterministic for a size and a `now`; a customer's id, country, type, status
//! and BVN depend on its index alone.

use super::db::{
    Address, BvnRecord, Customer, CustomerStatus, CustomerType, History, PaymentMethod, Txn, TxnKind, TxnStatus,
    Wallet, WalletEvent, WalletStatus,
};
use super::new_id;
use crate::seed::Rng;
use crate::util::ms;
use time::{Date, Duration, Month, OffsetDateTime};

/// A country the demo customers live in.
struct Country {
    iso: &'static str,
    /// City, state, postal code.
    places: &'static [(&'static str, &'static str, &'static str)],
    streets: &'static [&'static str],
    first: &'static [&'static str],
    last: &'static [&'static str],
    /// Trading names of businesses.
    businesses: &'static [&'static str],
    /// Legal suffixes (the business's `last_name`).
    suffixes: &'static [&'static str],
    /// `+` and the calling code, the possible starts of a national number, and how
    /// many random digits follow.
    phone: (&'static str, &'static [&'static str], u32),
}

const NG_FIRST: &[&str] =
    &["Chinedu", "Ngozi", "Oluwaseun", "Aisha", "Emeka", "Funmilayo", "Ibrahim", "Yetunde", "Tunde", "Amaka"];
const NG_LAST: &[&str] =
    &["Okafor", "Adeyemi", "Bello", "Eze", "Okonkwo", "Balogun", "Abubakar", "Nwosu", "Adebayo", "Ogunleye"];
const NG_MIDDLE: &[&str] = &["Chukwuemeka", "Oluwatoyin", "Ifeoma", "Babatunde", "Adaeze", "Olamide", "Kelechi"];

const COUNTRIES: &[Country] = &[
    Country {
        iso: "NG",
        places: &[
            ("Lagos", "Lagos", "100001"),
            ("Ikeja", "Lagos", "100271"),
            ("Abuja", "Federal Capital Territory", "900001"),
            ("Ibadan", "Oyo", "200001"),
            ("Port Harcourt", "Rivers", "500001"),
        ],
        streets: &[
            "Adeola Odeku Street",
            "Allen Avenue",
            "Awolowo Road",
            "Herbert Macaulay Way",
            "Aminu Kano Crescent",
        ],
        first: NG_FIRST,
        last: NG_LAST,
        businesses: &["Adebayo Foods", "Eko Textiles", "Chukwu Logistics", "Lagos Fresh Farms", "Naija Solar Works"],
        suffixes: &["Ltd", "Limited", "Enterprises", "Ventures"],
        phone: ("+234", &["803", "806", "810", "813", "816", "703", "706", "903", "905"], 7),
    },
    Country {
        iso: "GH",
        places: &[
            ("Accra", "Greater Accra", "GA-184"),
            ("Kumasi", "Ashanti", "AK-039"),
            ("Tamale", "Northern", "NT-001"),
        ],
        streets: &["Oxford Street", "Liberation Road", "Independence Avenue", "Ring Road Central"],
        first: &["Kwame", "Ama", "Kofi", "Abena", "Yaw", "Akosua", "Kwabena", "Efua"],
        last: &["Mensah", "Owusu", "Boateng", "Asante", "Appiah", "Osei", "Addo", "Ofori"],
        businesses: &["Asante Cocoa Traders", "Accra Digital Services", "Volta Fisheries"],
        suffixes: &["Limited", "Ltd"],
        phone: ("+233", &["24", "54", "55", "20", "50"], 7),
    },
    Country {
        iso: "KE",
        places: &[
            ("Nairobi", "Nairobi County", "00100"),
            ("Mombasa", "Mombasa County", "80100"),
            ("Kisumu", "Kisumu County", "40100"),
        ],
        streets: &["Kenyatta Avenue", "Moi Avenue", "Ngong Road", "Waiyaki Way"],
        first: &["Wanjiru", "Otieno", "Achieng", "Kamau", "Njeri", "Mwangi", "Chebet", "Kiprop"],
        last: &["Kariuki", "Odhiambo", "Mutua", "Wambui", "Kiplagat", "Njoroge", "Omondi", "Ruto"],
        businesses: &["Rift Valley Dairies", "Savannah Couriers", "Tusker Agro Supplies"],
        suffixes: &["Limited", "Ltd"],
        phone: ("+254", &["712", "722", "733", "701", "110"], 6),
    },
    Country {
        iso: "GB",
        places: &[
            ("London", "Greater London", "E1 6AN"),
            ("Manchester", "Greater Manchester", "M1 1AE"),
            ("Birmingham", "West Midlands", "B1 1BB"),
        ],
        streets: &["Commercial Street", "Deansgate", "Old Kent Road", "Broad Street"],
        first: &["Olivia", "Oliver", "Amelia", "George", "Isla", "Harry", "Chidi", "Priya"],
        last: &["Smith", "Jones", "Taylor", "Brown", "Williams", "Patel", "Okoro", "Evans"],
        businesses: &["Thames Remit", "Brixton Imports", "Northern Quarter Studio"],
        suffixes: &["Ltd", "Limited"],
        phone: ("+44", &["7700900"], 3),
    },
    Country {
        iso: "US",
        places: &[
            ("San Francisco", "CA", "94103"),
            ("New York", "NY", "10001"),
            ("Houston", "TX", "77002"),
            ("Atlanta", "GA", "30303"),
        ],
        streets: &["Market Street", "Broadway", "Main Street", "Peachtree Street"],
        first: &["Emma", "Liam", "Ava", "Noah", "Sophia", "Ethan", "Adaeze", "Marcus"],
        last: &["Johnson", "Miller", "Davis", "Garcia", "Wilson", "Anderson", "Nwachukwu", "Thompson"],
        businesses: &["Golden Gate Remit", "Hudson Supply", "Lone Star Exports"],
        suffixes: &["LLC", "Inc"],
        phone: ("+1", &["415555", "212555", "713555", "404555"], 4),
    },
    Country {
        iso: "ZA",
        places: &[
            ("Johannesburg", "Gauteng", "2001"),
            ("Cape Town", "Western Cape", "8001"),
            ("Durban", "KwaZulu-Natal", "4001"),
        ],
        streets: &["Jan Smuts Avenue", "Long Street", "Florida Road", "Rivonia Road"],
        first: &["Thabo", "Lerato", "Sipho", "Naledi", "Pieter", "Zanele", "Johan", "Ayanda"],
        last: &["Nkosi", "Dlamini", "Van der Merwe", "Botha", "Mokoena", "Naidoo", "Khumalo", "Pillay"],
        businesses: &["Karoo Traders", "Table Bay Logistics", "Highveld Printing"],
        suffixes: &["Holdings", "Trading"],
        phone: ("+27", &["82", "83", "71", "72", "61"], 7),
    },
    Country {
        iso: "CA",
        places: &[("Toronto", "ON", "M5V 2T6"), ("Vancouver", "BC", "V6B 1A1"), ("Montreal", "QC", "H2Y 1C6")],
        streets: &["King Street West", "Granville Street", "Rue Saint-Paul", "Yonge Street"],
        first: &["Chloe", "Lucas", "Mia", "Benjamin", "Zoe", "Nathan", "Folake", "Samuel"],
        last: &["Tremblay", "Roy", "Gagnon", "MacDonald", "Campbell", "Lee", "Adeleke", "Martin"],
        businesses: &["Maple Leaf Remit", "Prairie Grain Export", "Harbourfront Design"],
        suffixes: &["Inc", "Corp"],
        phone: ("+1", &["416555", "604555", "514555"], 4),
    },
];

/// Which country the `i`-th customer lives in: Nigeria four times in eleven, Ghana
/// twice, the rest once.
const COUNTRY_CYCLE: [usize; 11] = [0, 1, 0, 2, 3, 0, 4, 1, 5, 0, 6];

/// How far back the demo customers were created.
const SPAN: Duration = Duration::weeks(6);

/// The wallet currencies the demo uses.
const DEMO_CURRENCIES: [&str; 2] = ["NGN", "USD"];

/// A demo customer with its wallets and, for a Nigerian individual, its BVN record.
#[derive(Debug)]
pub(crate) struct Demo {
    pub customer: Customer,
    pub wallets: Vec<Wallet>,
    pub bvn: Option<BvnRecord>,
}

fn bits(r: &mut Rng) -> u128 {
    (u128::from(r.next()) << 64) | u128::from(r.next())
}

fn digits(r: &mut Rng, n: u32) -> String {
    (0..n).map(|_| char::from(b'0' + r.below(10) as u8)).collect()
}

fn phone_of(r: &mut Rng, c: &Country) -> String {
    let (code, starts, n) = c.phone;
    format!("{code}{}{}", r.pick(starts), digits(r, n))
}

/// The BVN of the `i`-th demo customer (if it has one): `22` and 9 digits, distinct
/// for every index under a billion.
pub(crate) fn demo_bvn(i: usize) -> String {
    format!("22{:09}", (i as u64).wrapping_mul(7_368_787).wrapping_add(104_729) % 1_000_000_000)
}

fn birth_date(r: &mut Rng) -> Date {
    Date::from_calendar_date(
        1965 + r.below(39) as i32,
        Month::try_from(1 + r.below(12) as u8).unwrap_or(Month::January),
        1 + r.below(28) as u8,
    )
    .unwrap_or(Date::MIN)
}

/// Whether the `i`-th demo customer is a business (about one in four).
fn is_business(r: &mut Rng) -> bool {
    r.below(4) == 0
}

/// The `i`-th of `n` demo customers: created over the six weeks before `now`, oldest
/// first; one in six `pending_kyc`; the active ones (but one in nine) with an NGN
/// wallet and two in three with a USD one too.
pub(crate) fn demo_customer(i: usize, n: usize, now: OffsetDateTime) -> Demo {
    let mut r = Rng((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x3A11_E75E);
    let id = new_id("cus", bits(&mut r));
    let country = &COUNTRIES[COUNTRY_CYCLE[i % COUNTRY_CYCLE.len()]];
    let business = is_business(&mut r);
    let (first_name, last_name, email) = if business {
        let name = r.pick(country.businesses);
        let slug: String = name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
        (name.to_owned(), r.pick(country.suffixes).to_owned(), format!("accounts.{i}@{slug}.example.com"))
    } else {
        let (f, l) = (r.pick(country.first), r.pick(country.last));
        let local: String = format!("{f}.{l}").chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
        (f.to_owned(), l.to_owned(), format!("{}{i}@example.com", local.to_lowercase()))
    };
    let (city, state, zip) = country.places[r.below(country.places.len())];
    let billing_address = Address {
        line1: format!("{} {}", 1 + r.below(240), r.pick(country.streets)),
        line2: (r.below(3) == 0).then(|| format!("Suite {}", 1 + r.below(40))),
        city: city.to_owned(),
        state: state.to_owned(),
        zip_code: zip.to_owned(),
        country: country.iso.to_owned(),
    };
    let phone_number = phone_of(&mut r, country);
    let status = if i % 6 == 4 { CustomerStatus::PendingKyc } else { CustomerStatus::Active };

    let span_ms = SPAN.whole_milliseconds() as u64;
    let step = span_ms / n.max(1) as u64;
    // The newest is about an hour old, so that its activation, wallets and
    // transactions fit before `now`.
    let age_ms = span_ms * (n - i) as u64 / n.max(1) as u64 + 3_600_000 - r.next() % (step / 2).max(1);
    let created_at = ms(now - Duration::milliseconds(age_ms as i64));
    let updated_at = match status {
        CustomerStatus::PendingKyc => created_at,
        CustomerStatus::Active => (created_at + Duration::minutes(1 + r.below(600) as i64))
            .min(ms(now) - Duration::minutes(30))
            .max(created_at),
    };
    let customer = Customer {
        id,
        first_name,
        last_name,
        email,
        phone_number,
        kind: if business { CustomerType::Business } else { CustomerType::Individual },
        status,
        billing_address,
        created_at,
        updated_at,
    };

    let mut wallets = Vec::new();
    if status == CustomerStatus::Active && !i.is_multiple_of(9) {
        for currency in DEMO_CURRENCIES {
            if currency == "USD" && r.below(3) == 0 {
                continue;
            }
            wallets.push(demo_wallet(&mut r, &customer, currency, now));
        }
    }

    let bvn = (country.iso == "NG" && !business).then(|| {
        let mut b = Rng(r.next());
        let mismatch = (i % 3 == 2).then_some(if (i / 3).is_multiple_of(2) { "surname" } else { "phone" });
        let surname = match mismatch {
            Some("surname") => {
                let others: Vec<&str> = NG_LAST.iter().copied().filter(|l| *l != customer.last_name).collect();
                b.pick(&others).to_owned()
            }
            _ => customer.last_name.clone(),
        };
        let mobile_number = match mismatch {
            Some("phone") => loop {
                let p = phone_of(&mut b, &COUNTRIES[0]);
                if p != customer.phone_number {
                    break p;
                }
            },
            _ => customer.phone_number.clone(),
        };
        BvnRecord {
            bvn: demo_bvn(i),
            first_name: customer.first_name.clone(),
            middle_name: b.pick(NG_MIDDLE).to_owned(),
            surname,
            date_of_birth: birth_date(&mut b),
            mobile_number,
            customer_id: Some(customer.id.clone()),
            mismatch,
        }
    });
    Demo { customer, wallets, bvn }
}

/// A wallet of a demo customer, opened after its activation: one in twelve deleted
/// (emptied first), one in six frozen; most with a bank account; 3 to 12 transactions.
fn demo_wallet(r: &mut Rng, c: &Customer, currency: &'static str, now: OffsetDateTime) -> Wallet {
    let now = ms(now);
    let latest = (now - Duration::minutes(10)).max(c.updated_at);
    let created_at = ms((c.updated_at + Duration::minutes(5 + r.below(4000) as i64)).min(latest));
    let status = match r.below(12) {
        0 => WalletStatus::Deleted,
        1 | 2 => WalletStatus::Frozen,
        _ => WalletStatus::Active,
    };
    let mut w = Wallet {
        id: new_id("wal", bits(r)),
        account_id: new_id("acc", bits(r)),
        customer_id: c.id.clone(),
        currency,
        balance: 0,
        status,
        created_at,
        updated_at: created_at,
        payment_methods: Vec::new(),
        events: vec![WalletEvent { kind: "wallet.created", status: None, reason: None, at: created_at }],
        history: None,
    };
    let with_account = match currency {
        "NGN" => r.below(10) < 7,
        _ => r.below(2) == 0,
    };
    if with_account && status != WalletStatus::Deleted {
        let at = ms((created_at + Duration::minutes(1 + r.below(30) as i64)).min(now));
        let mut b = Rng(r.next());
        w.payment_methods.push(bank_account(&mut b, currency, &format!("{} {}", c.first_name, c.last_name), at));
        w.events.push(WalletEvent { kind: "wallet.payment_method_added", status: None, reason: None, at });
        w.updated_at = at;
    }
    // A deleted wallet's emptying debit makes one more: 3 to 12 in all.
    w.history = Some(History {
        seed: r.next(),
        count: 3 + r.below(if status == WalletStatus::Deleted { 9 } else { 10 }),
        until: now,
        sweep: status == WalletStatus::Deleted,
    });
    let txns = history(&w);
    w.balance = balance_of(&txns);
    let last = txns.last().map_or(created_at, |t| t.created_at).max(w.updated_at);
    if status != WalletStatus::Active {
        let at = ms((last + Duration::minutes(1 + r.below(600) as i64)).min(now));
        let reason = match status {
            WalletStatus::Frozen => r.pick(&[
                "Suspicious activity under review",
                "Customer reported a lost device",
                "Compliance review requested",
            ]),
            _ => "Customer asked to close the wallet",
        };
        w.events.push(WalletEvent {
            kind: "wallet.status_changed",
            status: Some(status),
            reason: Some(reason.into()),
            at,
        });
        w.updated_at = at;
    }
    w
}

/// The completed transactions' sum.
pub(crate) fn balance_of(txns: &[Txn]) -> i64 {
    txns.iter()
        .filter(|t| t.status == TxnStatus::Completed)
        .map(|t| match t.kind {
            TxnKind::Credit => t.amount,
            TxnKind::Debit => -t.amount,
        })
        .sum()
}

const NG_BANKS: &[&str] = &[
    "Access Bank",
    "Guaranty Trust Bank",
    "Zenith Bank",
    "First Bank of Nigeria",
    "United Bank for Africa",
    "Wema Bank",
    "Providus Bank",
    "Moniepoint MFB",
];

/// A seeded wallet's transactions, oldest first (generated again on every call, the
/// same each time): credits and debits, mostly completed, never below zero; a deleted
/// wallet's last one empties it.
pub(crate) fn history(w: &Wallet) -> Vec<Txn> {
    let Some(h) = w.history else { return Vec::new() };
    let mut r = Rng(h.seed);
    let span = (h.until - w.created_at).whole_milliseconds().max(1) as u64;
    let step = (span / (h.count as u64 + 2)).max(1);
    // Whole units: NGN from 1,000 to 500,000, the rest from 5 to 2,000.
    let (lo, hi): (u64, u64) = if w.currency == "NGN" { (1_000, 500_000) } else { (5, 2_000) };
    let mut balance: i64 = 0;
    let mut out = Vec::with_capacity(h.count + 1);
    let mut at = w.created_at;
    for k in 0..h.count {
        let offset = (step * (k as u64 + 1) + r.next() % (step / 2).max(1)) as i64;
        at = ms(w.created_at + Duration::milliseconds(offset)).min(ms(h.until));
        let kind = if k == 0 || balance < 100 || r.below(5) >= 2 { TxnKind::Credit } else { TxnKind::Debit };
        let amount = match kind {
            TxnKind::Credit => ((lo + r.next() % (hi - lo)) * 100 + r.below(100) as u64) as i64,
            TxnKind::Debit => (1 + r.next() % (balance as u64 * 6 / 10).max(1)) as i64,
        };
        let status = match (k, r.below(20)) {
            (0, _) => TxnStatus::Completed,
            (_, 0) => TxnStatus::Failed,
            (_, 1 | 2) => TxnStatus::Pending,
            _ => TxnStatus::Completed,
        };
        if status == TxnStatus::Completed {
            balance += if kind == TxnKind::Credit { amount } else { -amount };
        }
        let description = match kind {
            TxnKind::Credit => match r.below(4) {
                0 => format!("Transfer from {}", r.pick(NG_BANKS)),
                1 => "Wallet funding".to_owned(),
                2 => "Incoming payment".to_owned(),
                _ => "Refund".to_owned(),
            },
            TxnKind::Debit => match r.below(4) {
                0 => format!("Payout to {} ****{}", r.pick(NG_BANKS), digits(&mut r, 4)),
                1 => "Card purchase".to_owned(),
                2 => "Bills payment".to_owned(),
                _ => "Transfer to wallet".to_owned(),
            },
        };
        out.push(Txn {
            id: new_id("txn", bits(&mut r)),
            wallet_id: w.id.clone(),
            kind,
            amount,
            currency: w.currency,
            status,
            description,
            created_at: at,
        });
    }
    if h.sweep && balance > 0 {
        out.push(Txn {
            id: new_id("txn", bits(&mut r)),
            wallet_id: w.id.clone(),
            kind: TxnKind::Debit,
            amount: balance,
            currency: w.currency,
            status: TxnStatus::Completed,
            description: "Balance transferred before closing".to_owned(),
            created_at: ms(at + Duration::minutes(5)).min(ms(h.until)),
        });
    }
    out
}

/// The check digit that makes an ABA routing number's checksum a multiple of 10.
fn aba_check(d: &[u8; 8]) -> u8 {
    let w = [3u32, 7, 1, 3, 7, 1, 3, 7];
    let s: u32 = d.iter().zip(w).map(|(d, w)| u32::from(*d) * w).sum();
    ((10 - s % 10) % 10) as u8
}

/// An IBAN with its check digits: `country` and the basic bank account number.
fn iban(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = c.to_digit(36).unwrap_or(0);
        for d in if v >= 10 { vec![v / 10, v % 10] } else { vec![v] } {
            rem = (rem * 10 + d) % 97;
        }
    }
    format!("{country}{:02}{bban}", 98 - rem)
}

/// A bank account for a wallet in `currency`, held by `holder`: NGN a Nigerian bank
/// and a 10-digit NUBAN, USD a US bank with a routing number, GBP a sort code, EUR an
/// IBAN, the rest a local bank and account number.
pub(crate) fn bank_account(r: &mut Rng, currency: &'static str, holder: &str, at: OffsetDateTime) -> PaymentMethod {
    let mut pm = PaymentMethod {
        id: new_id("pm", bits(r)),
        bank_name: String::new(),
        account_number: String::new(),
        account_name: holder.to_owned(),
        currency,
        routing_number: None,
        sort_code: None,
        iban: None,
        created_at: ms(at),
    };
    match currency {
        "NGN" => {
            pm.bank_name = r.pick(NG_BANKS).to_owned();
            pm.account_number = digits(r, 10);
        }
        "USD" => {
            pm.bank_name = r.pick(&["Evolve Bank & Trust", "Lead Bank", "Column N.A.", "Cross River Bank"]).to_owned();
            let d: [u8; 8] = std::array::from_fn(|k| if k == 0 { 0 } else { r.below(10) as u8 });
            let mut routing: String = d.iter().map(|d| char::from(b'0' + d)).collect();
            routing.push(char::from(b'0' + aba_check(&d)));
            pm.routing_number = Some(routing);
            pm.account_number = digits(r, 12);
        }
        "GBP" => {
            pm.bank_name = r.pick(&["ClearBank", "Modulr FS", "Barclays"]).to_owned();
            pm.sort_code = Some(format!("04-{}-{}", digits(r, 2), digits(r, 2)));
            pm.account_number = digits(r, 8);
        }
        "EUR" => {
            pm.bank_name = "Banking Circle".to_owned();
            pm.account_number = digits(r, 13);
            pm.iban = Some(iban("LU", &format!("080{}", pm.account_number)));
        }
        "CAD" => {
            pm.bank_name = "Peoples Trust".to_owned();
            pm.routing_number = Some(format!("0621{}", digits(r, 5)));
            pm.account_number = digits(r, 7);
        }
        "KES" => {
            pm.bank_name = r.pick(&["Equity Bank Kenya", "KCB Bank Kenya"]).to_owned();
            pm.account_number = digits(r, 13);
        }
        _ => {
            pm.bank_name = r.pick(&["GCB Bank", "Ecobank Ghana"]).to_owned();
            pm.account_number = digits(r, 13);
        }
    }
    pm
}

/// The person a BVN that is not a demo customer's resolves to, derived from its
/// digits: a Nigerian name, a date of birth and a mobile number.
pub(crate) fn generated_bvn(bvn: &str) -> BvnRecord {
    let n: u64 = bvn.parse().unwrap_or(0);
    let mut r = Rng(n.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0xB7_0B7);
    BvnRecord {
        bvn: bvn.to_owned(),
        first_name: r.pick(NG_FIRST).to_owned(),
        middle_name: r.pick(NG_MIDDLE).to_owned(),
        surname: r.pick(NG_LAST).to_owned(),
        date_of_birth: birth_date(&mut r),
        mobile_number: phone_of(&mut r, &COUNTRIES[0]),
        customer_id: None,
        mismatch: None,
    }
}

/// `(bvn, customer id, whether the record matches the customer)` of the demo BVNs of
/// `Seed::Demo(n)`.
pub(crate) fn demo_bvns(n: usize) -> Vec<(String, String, bool)> {
    let now = OffsetDateTime::now_utc();
    (0..n)
        .filter_map(|i| demo_customer(i, n, now).bvn)
        .map(|b| (b.bvn, b.customer_id.unwrap_or_default(), b.mismatch.is_none()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wallets::rules;

    #[test]
    fn demo_customers_are_valid_and_varied() {
        let now = OffsetDateTime::now_utc();
        let n = 120;
        let demos: Vec<Demo> = (0..n).map(|i| demo_customer(i, n, now)).collect();
        let mut countries = std::collections::BTreeSet::new();
        for d in &demos {
            let c = &d.customer;
            for (f, v) in [("first_name", &c.first_name), ("last_name", &c.last_name)] {
                assert_eq!(rules::name_error(f, v), None, "{v}");
            }
            assert_eq!(rules::phone_error("phone_number", &c.phone_number, Some(&c.billing_address.country)), None);
            assert!(kyc_model::Email::parse(&c.email).is_ok(), "{}", c.email);
            assert!(c.created_at <= now && c.updated_at >= c.created_at);
            countries.insert(c.billing_address.country.clone());
            for w in &d.wallets {
                let txns = history(w);
                assert!((3..=12).contains(&txns.len()));
                assert_eq!(balance_of(&txns), w.balance);
                assert!(w.balance >= 0);
                assert!(txns.iter().all(|t| t.created_at >= w.created_at && t.created_at <= ms(now)));
                if w.status == WalletStatus::Deleted {
                    assert_eq!(w.balance, 0);
                }
            }
        }
        assert_eq!(countries.len(), 7, "{countries:?}");
        let businesses = demos.iter().filter(|d| d.customer.kind == CustomerType::Business).count();
        assert!((15..=45).contains(&businesses), "{businesses}");
        let pending = demos.iter().filter(|d| d.customer.status == CustomerStatus::PendingKyc).count();
        assert_eq!(pending, 20);
        let statuses: std::collections::BTreeSet<&str> =
            demos.iter().flat_map(|d| &d.wallets).map(|w| w.status.as_str()).collect();
        assert_eq!(statuses.len(), 3);
        // Ids depend on the index only.
        assert_eq!(demo_customer(7, 10, now).customer.id, demos[7].customer.id);
    }

    #[test]
    fn demo_bvns_match_or_differ_and_others_are_generated() {
        let b = demo_bvns(36);
        assert!(b.iter().filter(|b| b.2).count() >= 3 && b.iter().filter(|b| !b.2).count() >= 2, "{b:?}");
        assert!(b.iter().all(|(bvn, _, _)| bvn.len() == 11 && bvn.starts_with("22")));
        let g = generated_bvn("12345678901");
        assert_eq!(g, generated_bvn("12345678901"));
        assert_ne!(g.surname.len() + g.first_name.len(), 0);
        assert!(rules::phone_error("phone", &g.mobile_number, Some("NG")).is_none());
    }

    #[test]
    fn bank_details_have_valid_check_digits() {
        let mut r = Rng(5);
        let us = bank_account(&mut r, "USD", "A B", OffsetDateTime::now_utc());
        let d: Vec<u32> = us.routing_number.unwrap().chars().map(|c| c.to_digit(10).unwrap()).collect();
        let s = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
        assert_eq!(s % 10, 0);
        // A published example: GB82 WEST 1234 5698 7654 32.
        assert_eq!(iban("GB", "WEST12345698765432"), "GB82WEST12345698765432");
        assert_eq!(bank_account(&mut r, "NGN", "A B", OffsetDateTime::now_utc()).account_number.len(), 10);
    }
}
