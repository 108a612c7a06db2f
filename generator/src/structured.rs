//! schema.org `Book` + `Offer` as JSON-LD, so search engines show a book with its price and
//! availability. Written as a string the template prints inside
//! `<script type="application/ld+json">`.

use serde::Serialize;

use crate::config::Config;
use crate::content::Book;
use crate::escape;

/// The JSON-LD of a book. Fields are declared in the order they are written (sorted, as
/// the site has always published them), straight from the book without building a tree.
#[derive(Serialize)]
struct BookLd<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@id")]
    id: &'a str,
    #[serde(rename = "@type")]
    kind: &'static str,
    author: Person<'a>,
    #[serde(rename = "datePublished", skip_serializing_if = "Option::is_none")]
    date_published: Option<&'a str>,
    description: &'a str,
    image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    isbn: Option<String>,
    name: &'a str,
    offers: Offer<'a>,
    url: &'a str,
}

#[derive(Serialize)]
struct Person<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
struct Offer<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    availability: &'static str,
    price: String,
    #[serde(rename = "priceCurrency")]
    price_currency: String,
    url: &'a str,
}

/// The JSON-LD of a book's page. `<`, `>` and `&` are escaped so no text can end the script.
pub fn book_json_ld(config: &Config, book: &Book, cover_url: &str) -> String {
    let url = format!("{}{}", config.base_url, book.url());
    let data = BookLd {
        context: "https://schema.org",
        id: &url,
        kind: "Book",
        author: Person { kind: "Person", name: &book.author },
        date_published: book.published.as_deref(),
        description: &book.summary,
        image: format!("{}{cover_url}", config.base_url),
        isbn: book.isbn.as_ref().map(|isbn| isbn.replace(['-', ' '], "")),
        name: &book.title,
        offers: Offer {
            kind: "Offer",
            availability: if book.available { "https://schema.org/InStock" } else { "https://schema.org/SoldOut" },
            price: book.currency.to_decimal(book.amount),
            price_currency: book.currency.code().to_ascii_uppercase(),
            url: &url,
        },
        url: &url,
    };
    // Serializing borrowed strings cannot fail.
    let json = serde_json::to_string(&data).unwrap_or_default();
    escape::replace_ascii(&json, |byte| match byte {
        b'<' => Some("\\u003c"),
        b'>' => Some("\\u003e"),
        b'&' => Some("\\u0026"),
        _ => None,
    })
}
