//! Editor covers made fit for the web, as a real shop's are. Each cover is decoded once,
//! turned upright (its EXIF orientation), resized to the widths the theme shows it at
//! ([`WIDTHS`]), and encoded as lossy WebP and in a fallback format for browsers without
//! WebP. Every file is named by a hash of the source's bytes and of the processing
//! settings, and written under `/assets/covers/`, which the CDN and browsers keep for a year.
//!
//! The results are cached between builds under `.bookshop-cache/covers/` (see
//! [`crate::layout::CACHE`]): one folder per source hash holding the encoded files and a
//! `meta` line, and an `index` of each source file's size and modification time, so a build
//! whose covers did not change neither decodes nor even reads them. The cache may be deleted
//! at any time; the next build fills it again.
//!
//! A cover that cannot be shown is refused with a message naming it: a file that is not a
//! JPEG, PNG or WebP, a JPEG cut short, an animated image, or one over [`MAX_PIXELS`] (a
//! decompression bomb is refused from its header, before anything is decoded).

use std::collections::HashMap;
use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::UNIX_EPOCH;

use image::codecs::jpeg::JpegDecoder;
use image::codecs::png::PngDecoder;
use image::codecs::webp::WebPDecoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, Limits};

/// Where covers' files go in the site. Under `assets/`, whose every file is named by its
/// content and served with a one-year immutable cache (`_headers`, [`crate::headers`]).
pub const FOLDER: &str = "assets/covers";

/// The most pixels a cover may have: 40 megapixels (a 5,000 × 8,000 scan). A cover is shown
/// at most [`WIDTHS`]' largest across; this bounds the memory one decode takes (160 MB at
/// 8 bits a channel) and refuses decompression bombs, whose header promises billions.
pub const MAX_PIXELS: u64 = 40_000_000;

/// The widths every raster cover is made at, in pixels. The default theme shows a catalog
/// card at most 18rem wide (288 px: 360 at 1×, 720 at 2×) and the book page's cover at
/// most 22rem (352 px: 360 at 1×, 720 at 2×). A cover narrower than a width is not
/// enlarged: it is made at its own width instead.
pub const WIDTHS: [u32; 2] = [360, 720];

/// libwebp's quality (0-100) for lossy WebP: what image CDNs default to.
const WEBP_QUALITY: f32 = 80.0;
/// The JPEG fallback's quality (0-100).
const JPEG_QUALITY: u8 = 82;
/// Bumped whenever a change here would change an output file: the hash in every name
/// changes with it, so no browser keeps an old image under a new meaning.
const PROCESSING: u32 = 2;

/// A format a cover's files are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Lossy WebP, what every current browser is sent.
    Webp,
    /// The fallback for a JPEG (or an opaque WebP) source.
    Jpeg,
    /// The fallback for a PNG (or a transparent WebP) source.
    Png,
    /// An editor's SVG cover, copied as is.
    Svg,
}

impl Format {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Webp => "webp",
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }

    /// The media type, for `<source type>` and `og:image:type`.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Webp => "image/webp",
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Svg => "image/svg+xml",
        }
    }

    fn from_extension(ext: &str) -> Option<Format> {
        [Format::Webp, Format::Jpeg, Format::Png, Format::Svg].into_iter().find(|f| f.extension() == ext)
    }
}

/// One file made from a cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Its format.
    pub format: Format,
    /// Where it goes in the site: `assets/covers/<id>.<hash>.<width>.<ext>`.
    pub file: String,
    /// The file to copy there: in the cache, or the editor's own (an SVG).
    pub source: PathBuf,
}

impl Variant {
    /// Its URL in the site.
    pub fn url(&self) -> String {
        format!("/{}", self.file)
    }
}

/// An editor's cover, processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    /// The editor's image file.
    pub path: PathBuf,
    /// Its width in pixels, upright.
    pub width: u32,
    /// Its height in pixels, upright.
    pub height: u32,
    /// The hash of its bytes and the processing settings, in every file name.
    pub hash: String,
    /// The files made from it, narrowest first, WebP before the fallback at each width.
    pub variants: Vec<Variant>,
}

impl Cover {
    /// The files in one format, narrowest first.
    pub fn in_format(&self, format: Format) -> impl Iterator<Item = &Variant> {
        self.variants.iter().filter(move |v| v.format == format)
    }

    /// The files every browser shows (JPEG, PNG or the SVG), narrowest first.
    pub fn fallbacks(&self) -> impl Iterator<Item = &Variant> {
        self.variants.iter().filter(|v| v.format != Format::Webp)
    }
}

/// Why a cover cannot be shown: what is wrong, naming the file, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

const EXPORT_AGAIN: &str = "export it again as JPEG, PNG or WebP";

fn refuse(path: &Path, what: impl std::fmt::Display, help: impl Into<String>) -> CoverError {
    CoverError { message: format!("cover `{}` {what}", path.display()), help: help.into() }
}

/// A source file as last seen: its size and modification time, and the hash of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: u128,
    hash: u64,
}

/// The image cache of a site, shared by every thread of a build (and kept by `bookshop
/// watch` between rebuilds).
#[derive(Debug)]
pub struct Covers {
    dir: PathBuf,
    index: Mutex<HashMap<PathBuf, Stamp>>,
    index_changed: AtomicBool,
    decoded: AtomicUsize,
    cached: AtomicUsize,
}

impl Covers {
    /// The cache in `dir` (created when first written); an unreadable index is an empty one.
    pub fn open(dir: &Path) -> Covers {
        let index = fs::read_to_string(dir.join("index")).map(|text| parse_index(&text)).unwrap_or_default();
        Covers {
            dir: dir.to_owned(),
            index: Mutex::new(index),
            index_changed: AtomicBool::new(false),
            decoded: AtomicUsize::new(0),
            cached: AtomicUsize::new(0),
        }
    }

    /// How many covers were decoded (and resized and encoded) since this cache was opened.
    pub fn decoded(&self) -> usize {
        self.decoded.load(Ordering::Relaxed)
    }

    /// How many covers were found in the cache since it was opened.
    pub fn cached(&self) -> usize {
        self.cached.load(Ordering::Relaxed)
    }

    /// The cover at `path` for the book `id`: from the cache when its bytes were processed
    /// before, else decoded, resized, encoded and cached.
    pub fn process(&self, id: &str, path: &Path) -> Result<Cover, CoverError> {
        let unreadable = |e: std::io::Error| refuse(path, format!("cannot be read: {e}"), "check the file is readable");
        let meta = fs::metadata(path).map_err(unreadable)?;
        let modified = meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_nanos());
        let known = self.index.lock().unwrap_or_else(PoisonError::into_inner).get(path).copied();
        let (hash, mut bytes) = match known {
            Some(stamp) if Some(stamp.modified) == modified && stamp.len == meta.len() => (stamp.hash, None),
            _ => {
                let bytes = fs::read(path).map_err(unreadable)?;
                let hash = content_hash(&bytes);
                if let Some(modified) = modified {
                    let stamp = Stamp { len: bytes.len() as u64, modified, hash };
                    self.index.lock().unwrap_or_else(PoisonError::into_inner).insert(path.to_owned(), stamp);
                    self.index_changed.store(true, Ordering::Relaxed);
                }
                (hash, Some(bytes))
            }
        };
        let hash = format!("{hash:016x}");
        if path.extension().is_some_and(|x| x.eq_ignore_ascii_case("svg")) {
            let bytes = match bytes {
                Some(bytes) => bytes,
                None => fs::read(path).map_err(unreadable)?,
            };
            return svg_cover(id, path, &bytes, hash);
        }
        let entry = self.dir.join(&hash);
        if let Some(cover) = read_entry(&entry, id, path, &hash) {
            self.cached.fetch_add(1, Ordering::Relaxed);
            return Ok(cover);
        }
        let bytes = match bytes.take() {
            Some(bytes) => bytes,
            None => fs::read(path).map_err(unreadable)?,
        };
        let image = decode(path, &bytes)?;
        self.decoded.fetch_add(1, Ordering::Relaxed);
        let made = make_variants(path, &image, source_format(&bytes))?;
        write_entry(&entry, &image, &made).map_err(|e| CoverError {
            message: format!("cannot write the image cache {}: {e}", entry.display()),
            help: format!("check that {} can be written; it may be deleted at any time", self.dir.display()),
        })?;
        read_entry(&entry, id, path, &hash).ok_or_else(|| CoverError {
            message: format!("cannot read back the image cache {}", entry.display()),
            help: format!("delete {} and build again", self.dir.display()),
        })
    }

    /// Writes the index of source files when this build learnt something new, so the next
    /// build finds unchanged covers without reading them.
    pub fn save(&self) -> std::io::Result<()> {
        if !self.index_changed.swap(false, Ordering::Relaxed) {
            return Ok(());
        }
        let text = {
            let index = self.index.lock().unwrap_or_else(PoisonError::into_inner);
            let mut lines: Vec<String> = index
                .iter()
                .filter_map(|(path, s)| {
                    let path = path.to_str().filter(|p| !p.contains(['\t', '\n']))?;
                    Some(format!("{:016x}\t{}\t{}\t{path}\n", s.hash, s.len, s.modified))
                })
                .collect();
            lines.sort();
            lines.concat()
        };
        fs::create_dir_all(&self.dir)?;
        write_atomically(&self.dir.join("index"), text.as_bytes())
    }
}

fn parse_index(text: &str) -> HashMap<PathBuf, Stamp> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.splitn(4, '\t');
            let hash = u64::from_str_radix(fields.next()?, 16).ok()?;
            let len = fields.next()?.parse().ok()?;
            let modified = fields.next()?.parse().ok()?;
            Some((PathBuf::from(fields.next()?), Stamp { len, modified, hash }))
        })
        .collect()
}

/// The hash in a cover's names: its bytes and everything that shapes what is made of them.
fn content_hash(bytes: &[u8]) -> u64 {
    let settings = format!("{PROCESSING}/{WIDTHS:?}/{WEBP_QUALITY}/{JPEG_QUALITY}/");
    catalog::digest::fnv1a(bytes) ^ catalog::digest::fnv1a(settings.as_bytes()).rotate_left(17)
}

/// The site file of one variant.
fn site_file(id: &str, hash: &str, width: u32, format: Format) -> String {
    match format {
        Format::Svg => format!("{FOLDER}/{id}.{hash}.svg"),
        _ => format!("{FOLDER}/{id}.{hash}.{width}.{}", format.extension()),
    }
}

/// The variants an entry of the cache holds (its `meta`: one `width height ext` line per
/// file, the first the source's upright size), when every file is there.
fn read_entry(entry: &Path, id: &str, path: &Path, hash: &str) -> Option<Cover> {
    let meta = fs::read_to_string(entry.join("meta")).ok()?;
    let mut lines = meta.lines().map(|line| {
        let mut f = line.split(' ');
        Some((f.next()?.parse::<u32>().ok()?, f.next()?.parse::<u32>().ok()?, f.next()?.to_owned()))
    });
    let (width, height, _) = lines.next()??;
    let mut variants = Vec::new();
    for line in lines {
        let (w, h, ext) = line?;
        let format = Format::from_extension(&ext)?;
        let source = entry.join(format!("{w}.{ext}"));
        if !source.is_file() {
            return None;
        }
        variants.push(Variant { width: w, height: h, format, file: site_file(id, hash, w, format), source });
    }
    Some(Cover { path: path.to_owned(), width, height, hash: hash.to_owned(), variants })
}

/// Writes the encoded files, then `meta` last: an entry with a `meta` is complete. Each
/// file goes to a temporary name first, so a build running beside this one (`bookshop
/// watch` and `bookshop build`) never reads half a file.
fn write_entry(entry: &Path, image: &DynamicImage, made: &[Encoded]) -> std::io::Result<()> {
    fs::create_dir_all(entry)?;
    let mut meta = format!("{} {} source\n", image.width(), image.height());
    for (w, h, format, bytes) in made {
        let ext = format.extension();
        write_atomically(&entry.join(format!("{w}.{ext}")), bytes)?;
        meta.push_str(&format!("{w} {h} {ext}\n"));
    }
    write_atomically(&entry.join("meta"), meta.as_bytes())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static WRITES: AtomicUsize = AtomicUsize::new(0);
    let n = WRITES.fetch_add(1, Ordering::Relaxed);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.{}-{n}", std::process::id()));
    fs::write(&temp, bytes)?;
    fs::rename(&temp, path).inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

/// The format the source's bytes are in, when it is one a cover may be.
fn source_format(bytes: &[u8]) -> Option<ImageFormat> {
    image::guess_format(bytes).ok().filter(|f| [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP].contains(f))
}

/// The cover's pixels, upright. Everything that can be refused is refused before decoding.
fn decode(path: &Path, bytes: &[u8]) -> Result<DynamicImage, CoverError> {
    let format = match image::guess_format(bytes) {
        Ok(format) if source_format(bytes).is_some() => format,
        Ok(other) => {
            let name = other.extensions_str().first().map_or("other", |e| e).to_uppercase();
            return Err(refuse(path, format!("is a {name} image: covers are JPEG, PNG or WebP"), EXPORT_AGAIN));
        }
        Err(_) => return Err(refuse(path, "is not a JPEG, PNG or WebP image", EXPORT_AGAIN)),
    };
    // The header alone says how big the decoded image would be.
    let size = imagesize::blob_size(bytes)
        .map_err(|e| refuse(path, format!("cannot be read as an image: {e}"), EXPORT_AGAIN))?;
    let pixels = size.width as u64 * size.height as u64;
    if pixels > MAX_PIXELS {
        return Err(refuse(
            path,
            format!(
                "is {} × {} pixels ({:.0} megapixels), over the {} megapixels a cover may have",
                size.width,
                size.height,
                pixels as f64 / 1e6,
                MAX_PIXELS / 1_000_000
            ),
            format!(
                "export it at most {} pixels wide: a cover is shown at most {} pixels wide",
                2 * WIDTHS[1],
                WIDTHS[1]
            ),
        ));
    }
    let damaged = |e: image::ImageError| {
        refuse(path, format!("cannot be decoded: {e}"), format!("the file is damaged: {EXPORT_AGAIN}"))
    };
    let animated =
        || refuse(path, "is animated: a cover is one still image", "export the frame to show as JPEG, PNG or WebP");
    match format {
        ImageFormat::Jpeg => {
            if !jpeg_is_whole(bytes) {
                return Err(refuse(
                    path,
                    "is cut short: the JPEG ends before its image does",
                    "the file was not copied or downloaded whole: copy it again from where it came from",
                ));
            }
            still(JpegDecoder::new(Cursor::new(bytes)).map_err(damaged)?).map_err(damaged)
        }
        ImageFormat::Png => {
            let decoder = PngDecoder::new(Cursor::new(bytes)).map_err(damaged)?;
            if decoder.is_apng().map_err(damaged)? {
                return Err(animated());
            }
            still(decoder).map_err(damaged)
        }
        _ => {
            let decoder = WebPDecoder::new(Cursor::new(bytes)).map_err(damaged)?;
            if decoder.has_animation() {
                return Err(animated());
            }
            still(decoder).map_err(damaged)
        }
    }
}

/// Decodes one still image and turns it upright.
fn still(mut decoder: impl ImageDecoder) -> image::ImageResult<DynamicImage> {
    decoder.set_limits(Limits::default())?;
    let orientation = decoder.orientation()?;
    let mut image = DynamicImage::from_decoder(decoder)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Whether a JPEG has its end-of-image marker after its first scan. Decoders fill a JPEG cut
/// short with grey rather than fail; a marker is never inside scan data (an 0xFF there is
/// always followed by 0x00 or a restart marker), so this finds a truncated file.
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let Some(scan) = bytes.windows(2).position(|w| w == [0xFF, 0xDA]) else { return false };
    bytes[scan..].windows(2).any(|w| w == [0xFF, 0xD9])
}

/// One file made from a cover: width, height, format and bytes.
type Encoded = (u32, u32, Format, Vec<u8>);

/// The files made from a cover: at each of [`WIDTHS`] (never enlarged), lossy WebP and the
/// fallback: JPEG for a JPEG, PNG for a PNG, and for a WebP, PNG when it has transparent
/// pixels, else JPEG.
fn make_variants(path: &Path, image: &DynamicImage, source: Option<ImageFormat>) -> Result<Vec<Encoded>, CoverError> {
    let opaque = !image.color().has_alpha() || image.to_rgba8().pixels().all(|p| p.0[3] == u8::MAX);
    let fallback = match source {
        Some(ImageFormat::Png) => Format::Png,
        Some(ImageFormat::WebP) if !opaque => Format::Png,
        _ => Format::Jpeg,
    };
    let mut widths: Vec<u32> = WIDTHS.iter().map(|&w| w.min(image.width())).collect();
    widths.dedup();
    let mut made = Vec::new();
    // Eight bits a channel from here on, what every output format holds; RGB unless the
    // alpha channel is used.
    let mut from =
        if opaque { DynamicImage::ImageRgb8(image.to_rgb8()) } else { DynamicImage::ImageRgba8(image.to_rgba8()) };
    let mut resizer = fast_image_resize::Resizer::new();
    // The largest first from the source, each smaller one from the one before: as sharp,
    // and far fewer pixels to read.
    for &width in widths.iter().rev() {
        let height = ((u64::from(image.height()) * u64::from(width) + u64::from(image.width()) / 2)
            / u64::from(image.width()))
        .max(1) as u32;
        let failed = |e: String| refuse(path, format!("cannot be encoded: {e}"), EXPORT_AGAIN);
        if width != from.width() {
            from = resize(&mut resizer, &from, width, height).map_err(failed)?;
        }
        let (webp, fallback_bytes) = match (&from, fallback) {
            (DynamicImage::ImageRgb8(rgb), _) => {
                (webp::encode(rgb, false), jpeg(rgb.as_raw(), width, height, jpeg_encoder::ColorType::Rgb))
            }
            (DynamicImage::ImageRgba8(rgba), Format::Png) => {
                (webp::encode(rgba, true), encode(&from, ImageFormat::Png))
            }
            (DynamicImage::ImageRgba8(rgba), _) => {
                (webp::encode(rgba, true), jpeg(rgba.as_raw(), width, height, jpeg_encoder::ColorType::Rgba))
            }
            _ => unreachable!("made RGB8 or RGBA8 above"),
        };
        made.push((width, height, fallback, fallback_bytes.map_err(failed)?));
        made.push((width, height, Format::Webp, webp.ok_or_else(|| failed("libwebp failed".into()))?));
    }
    made.reverse();
    Ok(made)
}

/// `image` (RGB8 or RGBA8) resized to `width` × `height` with a Lanczos-3 filter, alpha
/// premultiplied while filtering so transparent pixels' colours do not bleed.
fn resize(
    resizer: &mut fast_image_resize::Resizer,
    image: &DynamicImage,
    width: u32,
    height: u32,
) -> Result<DynamicImage, String> {
    let mut resized = match image {
        DynamicImage::ImageRgba8(_) => DynamicImage::ImageRgba8(image::RgbaImage::new(width, height)),
        _ => DynamicImage::ImageRgb8(image::RgbImage::new(width, height)),
    };
    let options = fast_image_resize::ResizeOptions::new()
        .resize_alg(fast_image_resize::ResizeAlg::Convolution(fast_image_resize::FilterType::Lanczos3));
    resizer.resize(image, &mut resized, &options).map_err(|e| e.to_string())?;
    Ok(resized)
}

/// Baseline JPEG of 8-bit RGB or RGBA pixels (alpha dropped) at [`JPEG_QUALITY`].
fn jpeg(pixels: &[u8], width: u32, height: u32, color: jpeg_encoder::ColorType) -> Result<Vec<u8>, String> {
    let (w, h) = (u16::try_from(width).map_err(|e| e.to_string())?, u16::try_from(height).map_err(|e| e.to_string())?);
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, JPEG_QUALITY).encode(pixels, w, h, color).map_err(|e| e.to_string())?;
    Ok(bytes)
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), format).map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// An editor's SVG cover: copied as is, its size read from its `width` and `height` (or
/// its `viewBox`).
fn svg_cover(id: &str, path: &Path, bytes: &[u8], hash: String) -> Result<Cover, CoverError> {
    let text = String::from_utf8_lossy(bytes);
    let (width, height) = svg_size(&text).ok_or_else(|| {
        refuse(path, "has no size", "give its <svg> element width and height (or a viewBox), in pixels")
    })?;
    let variant = Variant {
        width,
        height,
        format: Format::Svg,
        file: site_file(id, &hash, width, Format::Svg),
        source: path.to_owned(),
    };
    Ok(Cover { path: path.to_owned(), width, height, hash, variants: vec![variant] })
}

/// The size an `<svg>` element declares.
fn svg_size(text: &str) -> Option<(u32, u32)> {
    let start = text.find("<svg")?;
    let tag = &text[start..start + text[start..].find('>')?];
    let attr = |name: &str| {
        let at = tag.find(&format!(" {name}="))? + name.len() + 2;
        let quote = tag[at..].chars().next()?;
        let value = &tag[at + 1..];
        Some(value[..value.find(quote)?].to_owned())
    };
    let number = |v: &str| v.trim().trim_end_matches("px").parse::<f64>().ok().filter(|n| *n >= 1.0);
    match (attr("width").as_deref().and_then(number), attr("height").as_deref().and_then(number)) {
        (Some(w), Some(h)) => Some((w.round() as u32, h.round() as u32)),
        _ => {
            let view_box = attr("viewBox")?;
            let parts: Vec<f64> = view_box.split([' ', ',']).filter_map(|p| p.trim().parse().ok()).collect();
            match parts[..] {
                [_, _, w, h] if w >= 1.0 && h >= 1.0 => Some((w.round() as u32, h.round() as u32)),
                _ => None,
            }
        }
    }
}

/// Lossy WebP through libwebp, the reference encoder (the `image` crate's own WebP encoder
/// is lossless only, several times larger for a photograph).
mod webp {
    use image::{ImageBuffer, Pixel};

    /// Encodes 8-bit RGB (`alpha` false) or RGBA pixels; `None` if libwebp fails.
    pub(super) fn encode<P: Pixel<Subpixel = u8>>(image: &ImageBuffer<P, Vec<u8>>, alpha: bool) -> Option<Vec<u8>> {
        let channels = if alpha { 4 } else { 3 };
        debug_assert_eq!(usize::from(P::CHANNEL_COUNT), channels);
        let (width, height) = (i32::try_from(image.width()).ok()?, i32::try_from(image.height()).ok()?);
        let stride = width.checked_mul(channels as i32)?;
        let pixels: &[u8] = image.as_raw();
        if pixels.len() < stride as usize * height as usize {
            return None;
        }
        let mut out: *mut u8 = std::ptr::null_mut();
        // SAFETY: `pixels` holds `height` rows of `stride` bytes (checked above) and outlives
        // the call; libwebp allocates `out` and returns its length, or 0 on failure.
        let len = unsafe {
            if alpha {
                libwebp_sys::WebPEncodeRGBA(pixels.as_ptr(), width, height, stride, super::WEBP_QUALITY, &mut out)
            } else {
                libwebp_sys::WebPEncodeRGB(pixels.as_ptr(), width, height, stride, super::WEBP_QUALITY, &mut out)
            }
        };
        if out.is_null() {
            return None;
        }
        // SAFETY: libwebp wrote `len` bytes at `out`; they are copied, then `out` is freed
        // with libwebp's own deallocator, once.
        let bytes = (len > 0).then(|| unsafe { std::slice::from_raw_parts(out, len) }.to_vec());
        unsafe { libwebp_sys::WebPFree(out.cast()) };
        bytes
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba};

    use super::*;

    /// A photo-like picture: smooth gradients, so every codec keeps its colours close.
    fn picture(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 96]))
    }

    fn encoded(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        image.write_to(&mut Cursor::new(&mut bytes), format).expect("encodes");
        bytes
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        encoded(DynamicImage::ImageRgb8(picture(width, height)), ImageFormat::Jpeg)
    }

    /// A cache in a fresh folder and the folder where covers are put.
    fn cache() -> (tempfile::TempDir, Covers) {
        let dir = tempfile::tempdir().expect("temp dir");
        let covers = Covers::open(&dir.path().join("cache"));
        (dir, covers)
    }

    fn process(bytes: &[u8], name: &str) -> (tempfile::TempDir, Covers, Result<Cover, CoverError>) {
        let (dir, covers) = cache();
        let path = dir.path().join(name);
        fs::write(&path, bytes).expect("write");
        let cover = covers.process("book", &path);
        (dir, covers, cover)
    }

    fn decoded(variant: &Variant) -> DynamicImage {
        let bytes = fs::read(&variant.source).expect("cached file");
        let format = match variant.format {
            Format::Webp => ImageFormat::WebP,
            Format::Jpeg => ImageFormat::Jpeg,
            _ => ImageFormat::Png,
        };
        assert_eq!(image::guess_format(&bytes).ok(), Some(format), "{} holds what its name says", variant.file);
        image::load_from_memory_with_format(&bytes, format).expect("decodes")
    }

    #[test]
    fn a_jpeg_is_made_at_each_width_in_webp_and_jpeg_named_by_its_hash() {
        let bytes = jpeg(1000, 1500);
        let (_dir, covers, cover) = process(&bytes, "art.jpg");
        let cover = cover.expect("processed");
        let hash = format!("{:016x}", content_hash(&bytes));
        assert_eq!(cover.hash, hash);
        assert_eq!((cover.width, cover.height), (1000, 1500));
        let made: Vec<(u32, u32, Format, String)> =
            cover.variants.iter().map(|v| (v.width, v.height, v.format, v.file.clone())).collect();
        assert_eq!(
            made,
            vec![
                (360, 540, Format::Webp, format!("assets/covers/book.{hash}.360.webp")),
                (360, 540, Format::Jpeg, format!("assets/covers/book.{hash}.360.jpg")),
                (720, 1080, Format::Webp, format!("assets/covers/book.{hash}.720.webp")),
                (720, 1080, Format::Jpeg, format!("assets/covers/book.{hash}.720.jpg")),
            ]
        );
        for variant in &cover.variants {
            let image = decoded(variant);
            assert_eq!((image.width(), image.height()), (variant.width, variant.height));
        }
        let small = fs::metadata(&cover.variants[0].source).expect("file").len();
        assert!(small * 5 < bytes.len() as u64, "a card's image ({small} bytes) is a fraction of the original's");
        assert_eq!((covers.decoded(), covers.cached()), (1, 0));
    }

    #[test]
    fn the_hash_changes_with_the_bytes_and_the_settings_only() {
        let (a, b) = (jpeg(40, 60), jpeg(40, 61));
        assert_eq!(content_hash(&a), content_hash(&a.clone()));
        assert_ne!(content_hash(&a), content_hash(&b));
        assert_ne!(content_hash(&a), catalog::digest::fnv1a(&a), "the settings are part of it");
    }

    #[test]
    fn a_cover_narrower_than_a_width_is_never_enlarged() {
        let (_dir, _covers, cover) = process(&jpeg(500, 800), "narrow.jpg");
        let widths: Vec<(u32, u32)> = cover.expect("processed").variants.iter().map(|v| (v.width, v.height)).collect();
        assert_eq!(widths, [(360, 576), (360, 576), (500, 800), (500, 800)]);
        let (_dir, _covers, cover) = process(&jpeg(200, 300), "tiny.jpg");
        let widths: Vec<(u32, u32)> = cover.expect("processed").variants.iter().map(|v| (v.width, v.height)).collect();
        assert_eq!(widths, [(200, 300), (200, 300)], "one width: two files, not four");
    }

    #[test]
    fn an_unchanged_cover_is_never_decoded_again() {
        let (dir, covers) = cache();
        let path = dir.path().join("art.jpg");
        fs::write(&path, jpeg(400, 600)).expect("write");
        let first = covers.process("book", &path).expect("processed");
        covers.save().expect("index saved");
        // A later build opens the cache afresh.
        let again = Covers::open(&dir.path().join("cache"));
        assert_eq!(again.process("book", &path), Ok(first.clone()));
        assert_eq!((again.decoded(), again.cached()), (0, 1));
        // Touched (a checkout, a copy) but the same bytes: read and hashed, still not decoded.
        fs::write(&path, jpeg(400, 600)).expect("write");
        assert_eq!(again.process("book", &path), Ok(first.clone()));
        assert_eq!((again.decoded(), again.cached()), (0, 2));
        // Another book with the same image shares the cache entry, under its own names.
        let other = again.process("other", &path).expect("processed");
        assert_eq!(other.variants[0].source, first.variants[0].source);
        assert_eq!(other.variants[0].file, format!("assets/covers/other.{}.360.webp", first.hash));
        // New bytes: decoded once.
        fs::write(&path, jpeg(400, 601)).expect("write");
        let changed = again.process("book", &path).expect("processed");
        assert_ne!(changed.hash, first.hash);
        assert_eq!((again.decoded(), again.cached()), (1, 3));
    }

    #[test]
    fn a_cover_with_an_exif_orientation_is_made_upright() {
        // Landscape pixels, red on the left half, and an EXIF orientation of 6: the camera
        // was turned a quarter clockwise, so the picture is shown turned back, portrait,
        // with the red half on top.
        let pixels = RgbImage::from_fn(40, 20, |x, _| if x < 20 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) });
        let plain = encoded(DynamicImage::ImageRgb8(pixels), ImageFormat::Jpeg);
        let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01".to_vec();
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
        app1.extend_from_slice(b"Exif\0\0");
        app1.extend_from_slice(&tiff);
        let rotated = [&plain[..2], &app1, &plain[2..]].concat();
        let (_dir, _covers, cover) = process(&rotated, "rotated.jpg");
        let cover = cover.expect("processed");
        assert_eq!((cover.width, cover.height), (20, 40), "upright");
        let image = decoded(&cover.variants[1]).to_rgb8();
        assert_eq!((image.width(), image.height()), (20, 40));
        let top = image.get_pixel(10, 5).0;
        let bottom = image.get_pixel(10, 35).0;
        assert!(top[0] > 200 && top[2] < 60, "red on top: {top:?}");
        assert!(bottom[2] > 200 && bottom[0] < 60, "blue below: {bottom:?}");
    }

    #[test]
    fn a_cmyk_jpeg_is_shown_in_its_colours() {
        let mut bytes = Vec::new();
        // Full magenta and yellow, no cyan or black: red.
        let pixels: Vec<u8> = (0..32 * 48).flat_map(|_| [0u8, 255, 255, 0]).collect();
        jpeg_encoder::Encoder::new(&mut bytes, 90)
            .encode(&pixels, 32, 48, jpeg_encoder::ColorType::Cmyk)
            .expect("CMYK");
        let (_dir, _covers, cover) = process(&bytes, "cmyk.jpg");
        let cover = cover.expect("processed");
        let formats: Vec<Format> = cover.variants.iter().map(|v| v.format).collect();
        assert_eq!(formats, [Format::Webp, Format::Jpeg]);
        for variant in &cover.variants {
            let [r, g, b] = decoded(variant).to_rgb8().get_pixel(16, 24).0;
            assert!(r > 220 && g < 40 && b < 40, "{}: red, not {:?}", variant.file, [r, g, b]);
        }
    }

    #[test]
    fn a_16_bit_png_with_alpha_keeps_its_transparency_in_png_and_webp() {
        let pixels = image::ImageBuffer::from_fn(30, 45, |x, _| {
            if x < 15 {
                Rgba::<u16>([65535, 0, 0, 65535])
            } else {
                Rgba::<u16>([0, 0, 65535, 0])
            }
        });
        let bytes = encoded(DynamicImage::ImageRgba16(pixels), ImageFormat::Png);
        let (_dir, _covers, cover) = process(&bytes, "deep.png");
        let cover = cover.expect("processed");
        let formats: Vec<Format> = cover.variants.iter().map(|v| v.format).collect();
        assert_eq!(formats, [Format::Webp, Format::Png], "a PNG's fallback is a PNG");
        for variant in &cover.variants {
            let image = decoded(variant).to_rgba8();
            assert_eq!(image.get_pixel(2, 2).0[3], 255, "{}: opaque where it was", variant.file);
            assert_eq!(image.get_pixel(28, 2).0[3], 0, "{}: transparent where it was", variant.file);
        }
        assert_eq!(decoded(&cover.variants[1]).to_rgba8().get_pixel(2, 2), &Rgba([255, 0, 0, 255]));
    }

    #[test]
    fn a_webp_cover_falls_back_to_jpeg() {
        let bytes = encoded(DynamicImage::ImageRgb8(picture(60, 90)), ImageFormat::WebP);
        let (_dir, _covers, cover) = process(&bytes, "art.webp");
        let formats: Vec<Format> = cover.expect("processed").variants.iter().map(|v| v.format).collect();
        assert_eq!(formats, [Format::Webp, Format::Jpeg]);
    }

    #[test]
    fn an_svg_cover_is_copied_with_its_declared_size() {
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 450"></svg>"#;
        let (dir, covers, cover) = process(svg, "art.svg");
        let cover = cover.expect("an SVG");
        let hash = format!("{:016x}", content_hash(svg));
        let variant = Variant {
            width: 300,
            height: 450,
            format: Format::Svg,
            file: format!("assets/covers/book.{hash}.svg"),
            source: dir.path().join("art.svg"),
        };
        assert_eq!(cover.variants, [variant]);
        assert_eq!(covers.decoded(), 0);
        assert_eq!(svg_size(r#"<svg width="200px" height='300'>"#), Some((200, 300)));
        assert_eq!(svg_size("<svg>"), None);
    }

    /// The message and help for a cover made of `bytes`, named `name`.
    fn refused(bytes: &[u8], name: &str) -> (String, String) {
        let (dir, covers, cover) = process(bytes, name);
        let error = cover.expect_err("refused");
        assert_eq!(covers.decoded(), 0, "nothing decoded");
        let path = dir.path().join(name).display().to_string();
        (error.message.replace(&path, "FILE"), error.help)
    }

    #[test]
    fn a_jpeg_cut_short_is_refused() {
        let whole = jpeg(200, 300);
        assert_eq!(
            refused(&whole[..whole.len() / 2], "cut.jpg"),
            (
                "cover `FILE` is cut short: the JPEG ends before its image does".to_owned(),
                "the file was not copied or downloaded whole: copy it again from where it came from".to_owned()
            )
        );
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        // A PNG header promising 20,000 × 20,000 pixels (1.6 GB decoded), and nothing else.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&20_000u32.to_be_bytes());
        png.extend_from_slice(&20_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            refused(&png, "bomb.png"),
            (
                "cover `FILE` is 20000 × 20000 pixels (400 megapixels), over the 40 megapixels a cover may have"
                    .to_owned(),
                "export it at most 1440 pixels wide: a cover is shown at most 720 pixels wide".to_owned()
            )
        );
    }

    const ANIMATED: (&str, &str) =
        ("cover `FILE` is animated: a cover is one still image", "export the frame to show as JPEG, PNG or WebP");

    #[test]
    fn an_animated_png_is_refused() {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, 4, 4);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_animated(2, 0).expect("APNG");
        let mut writer = encoder.write_header().expect("header");
        writer.write_image_data(&[255; 64]).expect("frame 1");
        writer.write_image_data(&[0; 64]).expect("frame 2");
        writer.finish().expect("end");
        assert_eq!(refused(&bytes, "moving.png"), (ANIMATED.0.to_owned(), ANIMATED.1.to_owned()));
    }

    #[test]
    fn an_animated_webp_is_refused() {
        // Two frames, each a lossless 4 × 4 picture from image's encoder, in an animation.
        let still = encoded(DynamicImage::ImageRgba8(image::RgbaImage::new(4, 4)), ImageFormat::WebP);
        let frame = &still[12..]; // its VP8L chunk, after RIFF size WEBP
        let chunk = |tag: &[u8], data: &[u8]| {
            let mut c = tag.to_vec();
            c.extend_from_slice(&(data.len() as u32).to_le_bytes());
            c.extend_from_slice(data);
            if data.len() % 2 == 1 {
                c.push(0);
            }
            c
        };
        let mut anmf = vec![0, 0, 0, 0, 0, 0, 3, 0, 0, 3, 0, 0, 100, 0, 0, 0];
        anmf.extend_from_slice(frame);
        let mut body = b"WEBP".to_vec();
        body.extend(chunk(b"VP8X", &[0x02 | 0x10, 0, 0, 0, 3, 0, 0, 3, 0, 0]));
        body.extend(chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]));
        body.extend(chunk(b"ANMF", &anmf));
        body.extend(chunk(b"ANMF", &anmf));
        let webp = chunk(b"RIFF", &body);
        assert_eq!(refused(&webp, "moving.webp"), (ANIMATED.0.to_owned(), ANIMATED.1.to_owned()));
    }

    #[test]
    fn a_gif_is_refused_even_under_another_name() {
        let mut gif = Vec::new();
        let frames = [image::Frame::new(image::RgbaImage::new(4, 4)), image::Frame::new(image::RgbaImage::new(4, 4))];
        image::codecs::gif::GifEncoder::new(&mut gif).encode_frames(frames).expect("animated GIF");
        assert_eq!(
            refused(&gif, "moving.png"),
            (
                "cover `FILE` is a GIF image: covers are JPEG, PNG or WebP".to_owned(),
                "export it again as JPEG, PNG or WebP".to_owned()
            )
        );
        assert_eq!(
            refused(b"plain text", "notes.jpg"),
            (
                "cover `FILE` is not a JPEG, PNG or WebP image".to_owned(),
                "export it again as JPEG, PNG or WebP".to_owned()
            )
        );
    }
}
