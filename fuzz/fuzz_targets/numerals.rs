#![no_main]
//! The numeral parser on arbitrary text: never panics, and every number it finds lies inside the text.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let n = text.chars().count();
    for num in greenbook::text::numerals::find_numbers(&text) {
        assert!(num.start <= num.end && num.end <= n);
        assert!(!num.value.is_nan());
    }
    let _ = greenbook::text::numerals::parse_chinese(&text);
});
