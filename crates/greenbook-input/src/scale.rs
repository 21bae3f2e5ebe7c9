//! Scaling grey images with SIMD (`fast_image_resize`): the detector's copy of a page, every line at
//! the recognizer's height, and the small copies photo and spread detection look at. With `image`'s
//! `resize` and `thumbnail` these took a quarter of a dense page's time.

use fast_image_resize::pixels::U8;
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer, images};
use image::GrayImage;

/// Through the resizer's typed entry point, so that only its one-byte-pixel code is compiled here
/// (its generic entry point brings in every pixel type: most of this crate's build time).
fn scaled(img: &GrayImage, w: u32, h: u32, filter: FilterType) -> Option<GrayImage> {
    let src =
        images::TypedImageRef::<U8>::from_buffer(img.width(), img.height(), img.as_raw()).ok()?;
    let mut out = vec![0u8; w as usize * h as usize];
    let mut dst = images::TypedImage::<U8>::from_buffer(w, h, &mut out).ok()?;
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(filter));
    Resizer::new().resize_typed(&src, &mut dst, &options).ok()?;
    GrayImage::from_raw(w, h, out)
}

/// `img` scaled to `w`×`h` with a triangle (bilinear) filter, as `image`'s `resize` with
/// `FilterType::Triangle` does.
pub fn resize_grey(img: &GrayImage, w: u32, h: u32) -> GrayImage {
    let (w, h) = (w.max(1), h.max(1));
    scaled(img, w, h, FilterType::Bilinear).unwrap_or_else(|| {
        image::imageops::resize(img, w, h, image::imageops::FilterType::Triangle)
    })
}

/// `img` shrunk to `w`×`h`, each pixel the mean of the pixels it covers, as `image`'s `thumbnail`.
pub fn shrink_grey(img: &GrayImage, w: u32, h: u32) -> GrayImage {
    let (w, h) = (w.max(1), h.max(1));
    scaled(img, w, h, FilterType::Box).unwrap_or_else(|| image::imageops::thumbnail(img, w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinking_averages_and_resizing_keeps_the_picture() {
        // Left half black, right half white, 40×8.
        let img = GrayImage::from_fn(40, 8, |x, _| image::Luma([if x < 20 { 0 } else { 255 }]));
        let small = shrink_grey(&img, 10, 2);
        assert_eq!(small.dimensions(), (10, 2));
        assert_eq!(small.get_pixel(0, 0).0[0], 0);
        assert_eq!(small.get_pixel(9, 1).0[0], 255);
        let big = resize_grey(&img, 80, 16);
        assert_eq!(big.dimensions(), (80, 16));
        assert_eq!(big.get_pixel(2, 3).0[0], 0);
        assert_eq!(big.get_pixel(77, 3).0[0], 255);
        // Never an empty image.
        assert_eq!(resize_grey(&img, 0, 0).dimensions(), (1, 1));
    }
}
