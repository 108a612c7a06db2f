//! Any bytes as a request body: the parser and the pricing never panic, and whatever they
//! accept is priced exactly and within Stripe's limits, with metadata Stripe will take. Priced
//! as the worker does, from only the price-list shards the order needs, it gets the same
//! answer as from the whole list.
#![no_main]

use std::collections::BTreeMap;

use catalog::{price_order, shards_needed, Currency, Manifest, PriceList, PriceListEntry, Shard};
use libfuzzer_sys::fuzz_target;
use shop_worker::{request, stripe};

fn prices() -> PriceList {
    let mut books = BTreeMap::new();
    for (id, amount, currency, available) in [
        ("a", 2300, "usd", true),
        ("b", 99_999_999, "usd", true),
        ("c", 10, "usd", true),
        ("y", 2300, "jpy", true),
        ("gone", 2500, "usd", false),
    ] {
        let entry = PriceListEntry {
            title: id.to_owned(),
            author: id.to_owned(),
            amount,
            currency: Currency::from_code(currency).expect("supported"),
            available,
            url: String::new(),
            cover: String::new(),
        };
        books.insert(id.to_owned(), entry);
    }
    PriceList::new("https://books.example", books)
}

/// The whole list split as the generator splits it, into 4 shards.
fn sharded(whole: &PriceList) -> (Manifest, Vec<Shard>) {
    let manifest = Manifest::new(whole.origin.clone(), whole.books.values().map(|b| b.currency), 4);
    let mut shards: Vec<Shard> = (0..4).map(|n| Shard { shard: n, count: 4, books: BTreeMap::new() }).collect();
    for (id, book) in &whole.books {
        shards[manifest.shard_of(id) as usize].books.insert(id.clone(), book.clone());
    }
    (manifest, shards)
}

fuzz_target!(|data: &[u8]| {
    let Ok(order_request) = request::parse(data) else { return };
    let whole = prices();
    let (manifest, shards) = sharded(&whole);
    let held: Vec<(u32, &Shard)> =
        shards_needed(&manifest, &order_request.lines).into_iter().map(|n| (n, &shards[n as usize])).collect();
    let from_shards = price_order(&manifest.price_list(&held, order_request.lines.iter().map(|l| l.id.as_str())), &order_request.lines);
    assert_eq!(from_shards, price_order(&whole, &order_request.lines));
    let Ok(order) = from_shards else { return };
    let sum: u64 = order.lines.iter().map(|l| l.unit_amount * l.quantity).sum();
    assert_eq!(order.amount, sum);
    assert!(order.amount >= order.currency.minimum() && order.amount <= order.currency.maximum());
    let params = stripe::payment_intent_params(&order);
    let metadata: Vec<_> = params.iter().filter(|(k, _)| k.starts_with("metadata[")).collect();
    assert!(metadata.len() <= 50);
    assert!(metadata.iter().all(|(k, v)| k.len() - "metadata[]".len() <= 40 && v.chars().count() <= 500));
    let key = stripe::idempotency_key(order_request.attempt.as_deref().unwrap_or("x"), &order);
    assert!(key.len() <= 255 && key.is_ascii());
});
