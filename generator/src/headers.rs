//! `public/_headers` (Cloudflare's format): security headers for every page, and caching
//! that lets the CDN keep assets. HTML and the price list keep Cloudflare's default
//! (revalidate every time): two rules setting one header would be joined with a comma.
//! Everything under `/assets/` is named by its content (fingerprinted static files,
//! processed covers, link-preview images), so one rule keeps all of it for a year.

/// Exactly what Stripe.js and the Payment Element need (Stripe's CSP guide), and our own files.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
script-src 'self' https://js.stripe.com https://*.js.stripe.com; \
frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; \
connect-src 'self' https://api.stripe.com; \
img-src 'self' data: https://*.stripe.com; \
style-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
frame-ancestors 'none'";

/// The `_headers` file.
pub fn render() -> String {
    format!(
        "/*\n  Content-Security-Policy: {CONTENT_SECURITY_POLICY}\n  \
X-Content-Type-Options: nosniff\n  \
Referrer-Policy: strict-origin-when-cross-origin\n  \
Strict-Transport-Security: max-age=31536000; includeSubDomains\n  \
Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=(self \"https://js.stripe.com\")\n\
/assets/*\n  Cache-Control: public, max-age=31536000, immutable\n\
{index}*\n  Cache-Control: public, max-age=31536000, immutable\n\
/static/*\n  Cache-Control: public, max-age=3600\n",
        index = crate::search::FILES_URL
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_gets_the_security_headers() {
        let headers = render();
        assert!(headers.starts_with("/*\n  Content-Security-Policy: default-src 'self';"));
        assert!(headers.contains("X-Content-Type-Options: nosniff"));
        assert!(headers.contains("Strict-Transport-Security"));
        assert_eq!(headers.matches("Cache-Control").count(), 3, "no header is set by two matching rules");
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"), "no inline script or style is needed");
        // Cloudflare's format: a path line, then indented headers, none longer than 2,000 characters.
        assert!(headers.lines().all(|l| l.len() < 2000 && (l.starts_with('/') || l.starts_with("  "))));
    }
}
