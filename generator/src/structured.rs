//! schema.org `Book` + `Offer` as JSON-LD, so search engines show a book with its price and
//! availability. Written as a string the template prints inside
//! `<script type="application/ld+json">`.

use serde_json::json;

use crate::config::Config;
use crate::content::Book;

/// The JSON-LD of a book's page. `<`, `>` and `&` are escaped so no text can end the script.
pub fn book_json_ld(config: &Config, book: &Book, cover_url: &str) -> String {
    let url = format!("{}{}", config.base_url, book.url());
    let mut data = json!({
        "@context": "https://schema.org",
        "@type": "Book",
        "@id": url,
        "url": url,
        "name": book.title,
        "author": { "@type": "Person", "name": book.author },
        "image": format!("{}{cover_url}", config.base_url),
        "description": book.summary,
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": book.currency.to_decimal(book.amount),
            "priceCurrency": book.currency.code().to_ascii_uppercase(),
            "availability": if book.available { "https://schema.org/InStock" } else { "https://schema.org/SoldOut" },
        },
    });
    if let Some(isbn) = &book.isbn {
        data["isbn"] = json!(isbn.replace(['-', ' '], ""));
    }
    if let Some(date) = &book.published {
        data["datePublished"] = json!(date);
    }
    data.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}
