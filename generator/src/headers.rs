//! `public/_headers` (Cloudflare's format): security headers for every page, and caching
//! that lets the CDN keep assets. HTML and the price list keep Cloudflare's default
//! (revalidate every time): two rules setting one header would be joined with a comma.
//! Everything under `/assets/` is named by its content (fingerprinted static files,
//! processed covers, link-preview images), so one rule keeps all of it for a year.
//!
//! The Stripe sources are the set Stripe's CSP guide lists for Stripe.js, which covers the
//! Payment Element, Link and the Express Checkout Element: their buttons and wallet sheets run
//! in Stripe's frames, under Stripe's own policy, so nothing else is needed on our pages
//! (<https://docs.stripe.com/security/guide#content-security-policy>). Not listed, on purpose:
//! `https://maps.googleapis.com` (only for the Address Element's autocompletion, which the
//! shop does not use) and any `style-src` source: Stripe documents none for Stripe.js (its
//! styles live inside its frames), and our theme has no inline style.

/// The origins Stripe.js runs its frames from: the Elements, Link, the Express Checkout
/// Element's wallet buttons, and 3-D Secure or bank pages (`hooks`). The CSP's `frame-src`
/// and the `payment` permission are both made from this one list.
pub const STRIPE_FRAME_ORIGINS: &[&str] =
    &["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"];

/// Where Stripe.js itself and the scripts it loads come from.
pub const STRIPE_SCRIPT_ORIGINS: &[&str] = &["https://js.stripe.com", "https://*.js.stripe.com"];

/// What Stripe.js calls: Stripe's API.
pub const STRIPE_CONNECT_ORIGINS: &[&str] = &["https://api.stripe.com"];

/// The `Content-Security-Policy`: our own files, and exactly what Stripe.js needs.
pub fn content_security_policy() -> String {
    let list = |origins: &[&str]| origins.join(" ");
    format!(
        "default-src 'self'; \
script-src 'self' {scripts}; \
frame-src {frames}; \
connect-src 'self' {connect}; \
img-src 'self' data: https://*.stripe.com; \
style-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
frame-ancestors 'none'",
        scripts = list(STRIPE_SCRIPT_ORIGINS),
        frames = list(STRIPE_FRAME_ORIGINS),
        connect = list(STRIPE_CONNECT_ORIGINS),
    )
}

/// The `Permissions-Policy`: the Payment Request API (Apple Pay, Google Pay) for our pages and
/// every frame origin the CSP lets Stripe use; no camera, microphone or location for anyone.
pub fn permissions_policy() -> String {
    let payment: Vec<String> = STRIPE_FRAME_ORIGINS.iter().map(|o| format!("\"{o}\"")).collect();
    format!("camera=(), microphone=(), geolocation=(), payment=(self {})", payment.join(" "))
}

/// The `_headers` file.
pub fn render() -> String {
    format!(
        "/*\n  Content-Security-Policy: {csp}\n  \
X-Content-Type-Options: nosniff\n  \
Referrer-Policy: strict-origin-when-cross-origin\n  \
Strict-Transport-Security: max-age=31536000; includeSubDomains\n  \
Permissions-Policy: {permissions}\n\
/assets/*\n  Cache-Control: public, max-age=31536000, immutable\n\
{index}*\n  Cache-Control: public, max-age=31536000, immutable\n\
/static/*\n  Cache-Control: public, max-age=3600\n",
        csp = content_security_policy(),
        permissions = permissions_policy(),
        index = crate::search::FILES_URL
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header's value as `_headers` gives it for every page (`/*`).
    fn header(name: &str) -> String {
        let headers = render();
        let prefix = format!("  {name}: ");
        let line = headers.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no {name}"));
        line[prefix.len()..].to_owned()
    }

    /// The sources of one CSP directive.
    fn directive(csp: &str, name: &str) -> Vec<String> {
        let found = csp.split(';').map(str::trim).find(|d| d.split(' ').next() == Some(name));
        found.unwrap_or_else(|| panic!("no {name} in {csp}")).split(' ').skip(1).map(str::to_owned).collect()
    }

    #[test]
    fn every_page_gets_the_security_headers() {
        let headers = render();
        assert!(headers.starts_with("/*\n  Content-Security-Policy: default-src 'self';"));
        assert!(headers.contains("X-Content-Type-Options: nosniff"));
        assert!(headers.contains("Strict-Transport-Security"));
        assert_eq!(headers.matches("Cache-Control").count(), 3, "no header is set by two matching rules");
        assert!(!content_security_policy().contains("unsafe-inline"), "no inline script or style is needed");
        // Cloudflare's format: a path line, then indented headers, none longer than 2,000 characters.
        assert!(headers.lines().all(|l| l.len() < 2000 && (l.starts_with('/') || l.starts_with("  "))));
    }

    /// Each source Stripe's CSP guide lists for Stripe.js (which the Payment Element, Link and
    /// the Express Checkout Element load), written out here as the guide has it, not taken
    /// from the constants above.
    #[test]
    fn the_csp_allows_every_source_stripe_documents_for_stripe_js() {
        let csp = header("Content-Security-Policy");
        let documented = [
            ("script-src", "https://js.stripe.com"),
            ("script-src", "https://*.js.stripe.com"),
            ("frame-src", "https://js.stripe.com"),
            ("frame-src", "https://*.js.stripe.com"),
            ("frame-src", "https://hooks.stripe.com"),
            ("connect-src", "https://api.stripe.com"),
        ];
        for (name, source) in documented {
            assert!(directive(&csp, name).iter().any(|s| s == source), "{name} lacks {source}: {csp}");
        }
        assert_eq!(directive(&csp, "style-src"), ["'self'"], "Stripe documents no style-src for Stripe.js");
    }

    #[test]
    fn the_payment_permission_covers_every_frame_the_csp_allows() {
        let csp = header("Content-Security-Policy");
        let permissions = header("Permissions-Policy");
        let payment = permissions
            .split(", ")
            .find_map(|p| p.strip_prefix("payment=("))
            .and_then(|p| p.strip_suffix(')'))
            .unwrap_or_else(|| panic!("no payment=(…) in {permissions}"));
        let allowed: Vec<&str> = payment.split(' ').collect();
        assert_eq!(allowed[0], "self");
        for origin in directive(&csp, "frame-src") {
            assert!(
                allowed.contains(&format!("\"{origin}\"").as_str()),
                "payment does not allow {origin}: {permissions}"
            );
        }
        assert!(permissions.contains("\"https://*.js.stripe.com\""), "{permissions}");
    }
}
