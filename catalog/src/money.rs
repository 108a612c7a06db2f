//! Money in minor units: currencies as Stripe knows them, exact price parsing, formatting.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount in a currency's minor unit (cents for USD, yen for JPY), as Stripe takes it.
pub type Amount = u64;

/// The largest amount Stripe accepts in one PaymentIntent: eight digits in any currency.
pub const STRIPE_MAX_AMOUNT: Amount = 99_999_999;

struct Info {
    code: &'static str,
    /// Digits after the decimal point in Stripe's amounts (0 for JPY).
    decimals: u32,
    /// Stripe's minimum charge, in minor units.
    minimum: Amount,
    symbol: Option<&'static str>,
}

/// Stripe's settlement currencies with their minimum charge amounts (Stripe's docs,
/// "Minimum and maximum charge amounts"). A currency outside this table is refused at
/// build time rather than failing at checkout.
const CURRENCIES: &[Info] = &[
    Info { code: "usd", decimals: 2, minimum: 50, symbol: Some("$") },
    Info { code: "eur", decimals: 2, minimum: 50, symbol: Some("€") },
    Info { code: "gbp", decimals: 2, minimum: 30, symbol: Some("£") },
    Info { code: "jpy", decimals: 0, minimum: 50, symbol: Some("¥") },
    Info { code: "cad", decimals: 2, minimum: 50, symbol: Some("CA$") },
    Info { code: "aud", decimals: 2, minimum: 50, symbol: Some("A$") },
    Info { code: "nzd", decimals: 2, minimum: 50, symbol: Some("NZ$") },
    Info { code: "chf", decimals: 2, minimum: 50, symbol: None },
    Info { code: "sek", decimals: 2, minimum: 300, symbol: None },
    Info { code: "nok", decimals: 2, minimum: 300, symbol: None },
    Info { code: "dkk", decimals: 2, minimum: 250, symbol: None },
    Info { code: "pln", decimals: 2, minimum: 200, symbol: None },
    Info { code: "czk", decimals: 2, minimum: 1500, symbol: None },
    Info { code: "ron", decimals: 2, minimum: 200, symbol: None },
    Info { code: "bgn", decimals: 2, minimum: 100, symbol: None },
    Info { code: "hkd", decimals: 2, minimum: 400, symbol: Some("HK$") },
    Info { code: "sgd", decimals: 2, minimum: 50, symbol: None },
    Info { code: "mxn", decimals: 2, minimum: 1000, symbol: Some("MX$") },
    Info { code: "brl", decimals: 2, minimum: 50, symbol: Some("R$") },
    Info { code: "inr", decimals: 2, minimum: 50, symbol: Some("₹") },
    Info { code: "aed", decimals: 2, minimum: 200, symbol: None },
    Info { code: "thb", decimals: 2, minimum: 1000, symbol: None },
    Info { code: "myr", decimals: 2, minimum: 200, symbol: None },
];

/// A currency Stripe settles in, by its lowercase ISO 4217 code.
#[derive(Clone, Copy)]
pub struct Currency(&'static Info);

impl Currency {
    /// Looks up a lowercase ISO 4217 code (`"usd"`); `None` if Stripe does not settle in it here.
    pub fn from_code(code: &str) -> Option<Currency> {
        CURRENCIES.iter().find(|info| info.code == code).map(Currency)
    }

    /// Every supported code, for error messages.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        CURRENCIES.iter().map(|info| info.code)
    }

    /// The lowercase code, as Stripe takes it.
    pub fn code(self) -> &'static str {
        self.0.code
    }

    /// Digits after the decimal point (2 for USD, 0 for JPY).
    pub fn decimals(self) -> u32 {
        self.0.decimals
    }

    /// Stripe's minimum charge in this currency, in minor units.
    pub fn minimum(self) -> Amount {
        self.0.minimum
    }

    /// Stripe's maximum charge in this currency, in minor units.
    pub fn maximum(self) -> Amount {
        STRIPE_MAX_AMOUNT
    }

    /// Parses an editor's price in major units (`"23.00"`, `"23"`, `"2300"` for JPY) exactly.
    pub fn parse_price(self, text: &str) -> Result<Amount, PriceError> {
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
            return Err(PriceError::NotADecimal(text.to_owned()));
        }
        let fraction = fraction.unwrap_or("");
        let decimals = self.decimals();
        if fraction.len() > decimals as usize {
            return Err(PriceError::TooManyDecimals { price: text.to_owned(), currency: self.code(), decimals });
        }
        let too_large = || PriceError::TooLarge(text.to_owned());
        let mut amount: Amount = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            amount =
                amount.checked_mul(10).and_then(|a| a.checked_add(Amount::from(b - b'0'))).ok_or_else(too_large)?;
        }
        let padding = decimals - fraction.len() as u32;
        amount = amount.checked_mul(10u64.pow(padding)).ok_or_else(too_large)?;
        Ok(amount)
    }

    /// Parses a book's unit price ([`Currency::parse_price`]) and checks that Stripe can
    /// charge it: at least [`Currency::minimum`], at most [`Currency::maximum`].
    pub fn parse_unit_price(self, text: &str) -> Result<Amount, PriceError> {
        let amount = self.parse_price(text)?;
        if amount < self.minimum() {
            return Err(PriceError::BelowMinimum { amount, currency: self });
        }
        if amount > self.maximum() {
            return Err(PriceError::AboveMaximum { price: text.to_owned(), currency: self });
        }
        Ok(amount)
    }

    /// An amount as an exact decimal in major units: 2300 → `"23.00"` in USD, `"2300"` in JPY.
    pub fn to_decimal(self, amount: Amount) -> String {
        let decimals = self.decimals() as usize;
        if decimals == 0 {
            return amount.to_string();
        }
        let digits = format!("{amount:0>width$}", width = decimals + 1);
        let (whole, fraction) = digits.split_at(digits.len() - decimals);
        format!("{whole}.{fraction}")
    }

    /// An amount for people to read: `"$1,023.00"`, `"¥2,300"`, `"23.00 SEK"`.
    pub fn display(self, amount: Amount) -> String {
        let decimal = self.to_decimal(amount);
        let (whole, fraction) = match decimal.split_once('.') {
            Some((whole, fraction)) => (whole, format!(".{fraction}")),
            None => (decimal.as_str(), String::new()),
        };
        let grouped = group_thousands(whole);
        match self.0.symbol {
            Some(symbol) => format!("{symbol}{grouped}{fraction}"),
            None => format!("{grouped}{fraction} {}", self.code().to_ascii_uppercase()),
        }
    }
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl PartialEq for Currency {
    fn eq(&self, other: &Self) -> bool {
        self.code() == other.code()
    }
}

impl Eq for Currency {}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Currency::from_code(&code).ok_or_else(|| serde::de::Error::custom(format!("unsupported currency `{code}`")))
    }
}

/// Why a price could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceError {
    /// Not digits with at most one decimal point (`"23,00"`, `"-5"`, `"1e3"`).
    NotADecimal(String),
    /// More decimals than the currency has (`"23.999"` in USD, `"2300.5"` in JPY).
    TooManyDecimals {
        /// The price as written.
        price: String,
        /// The currency's code.
        currency: &'static str,
        /// How many decimals the currency has.
        decimals: u32,
    },
    /// Too many digits to be any real price.
    TooLarge(String),
    /// Under Stripe's minimum charge in its currency.
    BelowMinimum {
        /// The price in minor units.
        amount: Amount,
        /// Its currency.
        currency: Currency,
    },
    /// Over Stripe's maximum charge.
    AboveMaximum {
        /// The price as written.
        price: String,
        /// Its currency.
        currency: Currency,
    },
}

impl fmt::Display for PriceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PriceError::NotADecimal(price) => write!(
                f,
                "price `{price}` is not a decimal number: write it like \"23.00\" (digits, one optional '.', no sign or separators)"
            ),
            PriceError::TooManyDecimals { price, currency, decimals: 0 } => write!(
                f,
                "price `{price}` has decimals, but {} has no minor unit: write a whole number like \"2300\"",
                currency.to_ascii_uppercase()
            ),
            PriceError::TooManyDecimals { price, currency, decimals } => {
                let currency = currency.to_ascii_uppercase();
                write!(f, "price `{price}` has more than {decimals} decimals, the most {currency} has: ")?;
                match nearest_prices(price, *decimals) {
                    (Some(exact), _) => write!(f, "write it \"{exact}\""),
                    (None, Some((below, above))) => write!(f, "round it to \"{below}\" or \"{above}\""),
                    (None, None) => write!(f, "round it to {decimals} decimals"),
                }
            }
            PriceError::TooLarge(price) => write!(f, "price `{price}` is too large"),
            PriceError::BelowMinimum { amount, currency } => write!(
                f,
                "price {} is below Stripe's minimum charge of {}",
                currency.display(*amount),
                currency.display(currency.minimum())
            ),
            PriceError::AboveMaximum { price, currency } => write!(
                f,
                "price `{price}` is above Stripe's maximum charge of {}",
                currency.display(currency.maximum())
            ),
        }
    }
}

impl std::error::Error for PriceError {}

/// The prices with `decimals` decimals nearest to `price` (a decimal with more): itself
/// if the extra digits are zeros (`"23.990"`), else the one below and the one above
/// (`"24.505"` → `"24.50"`, `"24.51"`). Worked on the digits, so any length is exact.
fn nearest_prices(price: &str, decimals: u32) -> (Option<String>, Option<(String, String)>) {
    let Some((whole, fraction)) = price.split_once('.') else { return (None, None) };
    let keep = decimals as usize;
    if !price.bytes().all(|b| b.is_ascii_digit() || b == b'.') || fraction.len() <= keep {
        return (None, None);
    }
    let with_point = |digits: &str| {
        let (w, f) = digits.split_at(digits.len() - keep);
        let w = if w.is_empty() { "0" } else { w };
        if keep == 0 {
            w.to_owned()
        } else {
            format!("{w}.{f}")
        }
    };
    let below = format!("{whole}{}", &fraction[..keep]);
    if fraction[keep..].bytes().all(|b| b == b'0') {
        return (Some(with_point(&below)), None);
    }
    // One minor unit more: add one to the digit string, carrying.
    let mut above = below.clone().into_bytes();
    let mut at = above.len();
    loop {
        if at == 0 {
            above.insert(0, b'1');
            break;
        }
        at -= 1;
        if above[at] == b'9' {
            above[at] = b'0';
        } else {
            above[at] += 1;
            break;
        }
    }
    let above = String::from_utf8(above).unwrap_or_default();
    (None, Some((with_point(&below), with_point(&above))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::from_code("usd").expect("usd is supported")
    }

    fn jpy() -> Currency {
        Currency::from_code("jpy").expect("jpy is supported")
    }

    #[test]
    fn a_price_in_dollars_becomes_cents_exactly() {
        assert_eq!(usd().parse_price("23.00"), Ok(2300));
        assert_eq!(usd().parse_price("23"), Ok(2300));
        assert_eq!(usd().parse_price("23.5"), Ok(2350));
        assert_eq!(usd().parse_price("0.07"), Ok(7));
        // 0.1 + 0.2 is the classic float trap; here it cannot happen.
        assert_eq!(usd().parse_price("19.99"), Ok(1999));
    }

    #[test]
    fn a_price_with_three_decimals_in_usd_is_rejected() {
        let err = usd().parse_price("23.999").unwrap_err();
        assert!(matches!(err, PriceError::TooManyDecimals { decimals: 2, .. }));
        assert!(err.to_string().contains("more than 2 decimals"));
    }

    #[test]
    fn a_price_with_too_many_decimals_is_told_its_nearest_prices() {
        let told = |price: &str| usd().parse_price(price).unwrap_err().to_string();
        assert!(told("24.505").ends_with(r#"round it to "24.50" or "24.51""#), "{}", told("24.505"));
        assert!(told("9.999").ends_with(r#"round it to "9.99" or "10.00""#), "{}", told("9.999"));
        assert!(told("0.125").ends_with(r#"round it to "0.12" or "0.13""#), "{}", told("0.125"));
        assert!(told("23.990").ends_with(r#"write it "23.99""#), "{}", told("23.990"));
    }

    #[test]
    fn yen_has_no_minor_unit() {
        assert_eq!(jpy().parse_price("2300"), Ok(2300));
        let err = jpy().parse_price("2300.5").unwrap_err();
        assert!(err.to_string().contains("no minor unit"), "{err}");
        assert_eq!(jpy().to_decimal(2300), "2300");
        assert_eq!(jpy().display(2300), "¥2,300");
    }

    #[test]
    fn malformed_prices_are_rejected() {
        for bad in ["", ".", "23.", ".5", "-5", "+5", "1e3", "23,00", " 23", "23 ", "twenty", "2.3.4"] {
            assert!(matches!(usd().parse_price(bad), Err(PriceError::NotADecimal(_))), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn absurdly_long_prices_overflow_cleanly() {
        let err = usd().parse_price("99999999999999999999999").unwrap_err();
        assert!(matches!(err, PriceError::TooLarge(_)));
    }

    #[test]
    fn amounts_format_exactly() {
        assert_eq!(usd().to_decimal(2300), "23.00");
        assert_eq!(usd().to_decimal(5), "0.05");
        assert_eq!(usd().to_decimal(0), "0.00");
        assert_eq!(usd().display(102_300), "$1,023.00");
        assert_eq!(usd().display(99_999_999), "$999,999.99");
        let sek = Currency::from_code("sek").expect("sek is supported");
        assert_eq!(sek.display(2300), "23.00 SEK");
    }

    #[test]
    fn parse_and_format_round_trip() {
        for amount in [0, 1, 10, 99, 100, 2300, 99_999_999] {
            assert_eq!(usd().parse_price(&usd().to_decimal(amount)), Ok(amount));
            assert_eq!(jpy().parse_price(&jpy().to_decimal(amount)), Ok(amount));
        }
    }

    #[test]
    fn a_unit_price_must_be_one_stripe_can_charge() {
        assert_eq!(usd().parse_unit_price("0.50"), Ok(50));
        assert_eq!(usd().parse_unit_price("999999.99"), Ok(99_999_999));
        let below = usd().parse_unit_price("0.20").unwrap_err();
        assert_eq!(below, PriceError::BelowMinimum { amount: 20, currency: usd() });
        assert_eq!(below.to_string(), "price $0.20 is below Stripe's minimum charge of $0.50");
        let above = usd().parse_unit_price("1000000.00").unwrap_err();
        assert_eq!(above.to_string(), "price `1000000.00` is above Stripe's maximum charge of $999,999.99");
        let sek = Currency::from_code("sek").expect("sek is supported");
        assert_eq!(
            sek.parse_unit_price("2.99").unwrap_err().to_string(),
            "price 2.99 SEK is below Stripe's minimum charge of 3.00 SEK"
        );
        assert!(matches!(usd().parse_unit_price("1.999"), Err(PriceError::TooManyDecimals { .. })), "parsed first");
    }

    #[test]
    fn currencies_serialize_as_their_code() {
        let json = serde_json::to_string(&usd()).expect("serializes");
        assert_eq!(json, "\"usd\"");
        let back: Currency = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, usd());
        assert!(serde_json::from_str::<Currency>("\"xxx\"").is_err());
    }
}
