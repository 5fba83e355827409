//! WinAnsiEncoding (Windows code page 1252) text encoding and the glyph
//! widths of the standard-14 Helvetica faces for that encoding.
//!
//! The widths are the advance widths from Adobe's Core 14 AFM files
//! (Helvetica and Helvetica-Bold), in 1/1000 em, indexed by WinAnsi code
//! starting at 32 (space) and ending at 255 (ydieresis).

/// The two faces the report uses. Both are standard-14 fonts, so no font
/// program is embedded: every PDF reader provides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    Regular,
    Bold,
}

impl Font {
    /// Name of the font in the page resources.
    pub(crate) fn resource_name(self) -> &'static [u8] {
        match self {
            Font::Regular => b"F1",
            Font::Bold => b"F2",
        }
    }

    /// PostScript name of the standard-14 font.
    pub(crate) fn base_font(self) -> &'static [u8] {
        match self {
            Font::Regular => b"Helvetica",
            Font::Bold => b"Helvetica-Bold",
        }
    }

    /// The `/Widths` table, codes `FIRST_CHAR..=LAST_CHAR`.
    pub(crate) fn widths(self) -> &'static [u16; 224] {
        match self {
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        }
    }

    /// Advance width of one WinAnsi code, in 1/1000 em.
    pub(crate) fn glyph_width(self, code: u8) -> f32 {
        // Codes below 32 are never produced by `encode`; treat them as a space.
        let index = usize::from(code.max(FIRST_CHAR) - FIRST_CHAR);
        f32::from(self.widths()[index])
    }

    /// Width of encoded text at `size` points.
    pub(crate) fn text_width(self, text: &[u8], size: f32) -> f32 {
        text.iter().map(|&c| self.glyph_width(c)).sum::<f32>() * size / 1000.0
    }
}

/// First code in the widths tables.
pub(crate) const FIRST_CHAR: u8 = 32;
/// Last code in the widths tables.
pub(crate) const LAST_CHAR: u8 = 255;

/// Encodes `text` to WinAnsi bytes.
///
/// - ASCII and Latin-1 (U+00A0..U+00FF) map to themselves; the CP1252 extras
///   in 0x80..0x9F (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ) map
///   to their codes.
/// - A letter followed by a combining accent (decomposed/NFD input such as
///   `a` + U+0303) is composed when the result exists in WinAnsi; other
///   combining marks are dropped.
/// - Tabs and the typographic spaces (U+2002..U+200A, U+202F) become a space;
///   U+2010, U+2011 and U+2212 become `-`.
/// - Control characters, the soft hyphen, zero-width characters and the BOM
///   are dropped; line breaks are handled by the caller, not here.
/// - Every other character becomes `?`.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(text.len());
    let mut last_char: Option<char> = None;
    for ch in text.chars() {
        if is_combining(ch) {
            if let Some(base) = last_char
                && let Some(composed) = compose(base, ch)
                && let Some(code) = code_of(composed)
            {
                out.pop();
                out.push(code);
            }
            last_char = None;
            continue;
        }
        last_char = Some(ch);
        match code_of(ch) {
            Some(code) => out.push(code),
            None if is_dropped(ch) => {}
            None => {
                last_char = None;
                out.push(b'?');
            }
        }
    }
    out
}

fn is_combining(ch: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&ch)
}

fn is_dropped(ch: char) -> bool {
    ch.is_control() || matches!(ch, '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// WinAnsi code of one character, after look-alike substitution.
fn code_of(ch: char) -> Option<u8> {
    let code = match ch {
        '\t' => 0x20,
        ' '..='~' | '\u{00A0}'..='\u{00FF}' => {
            if ch == '\u{00AD}' {
                return None;
            }
            u8::try_from(u32::from(ch)).ok()?
        }
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        '\u{2002}'..='\u{200A}' | '\u{202F}' => 0x20,
        '\u{2010}' | '\u{2011}' | '\u{2212}' => b'-',
        _ => return None,
    };
    Some(code)
}

/// Composes a base letter and a combining mark into the precomposed letter,
/// for the accents that WinAnsi can show.
fn compose(base: char, mark: char) -> Option<char> {
    let composed = match (mark, base) {
        // grave
        ('\u{0300}', 'A') => 'À',
        ('\u{0300}', 'E') => 'È',
        ('\u{0300}', 'I') => 'Ì',
        ('\u{0300}', 'O') => 'Ò',
        ('\u{0300}', 'U') => 'Ù',
        ('\u{0300}', 'a') => 'à',
        ('\u{0300}', 'e') => 'è',
        ('\u{0300}', 'i') => 'ì',
        ('\u{0300}', 'o') => 'ò',
        ('\u{0300}', 'u') => 'ù',
        // acute
        ('\u{0301}', 'A') => 'Á',
        ('\u{0301}', 'E') => 'É',
        ('\u{0301}', 'I') => 'Í',
        ('\u{0301}', 'O') => 'Ó',
        ('\u{0301}', 'U') => 'Ú',
        ('\u{0301}', 'Y') => 'Ý',
        ('\u{0301}', 'a') => 'á',
        ('\u{0301}', 'e') => 'é',
        ('\u{0301}', 'i') => 'í',
        ('\u{0301}', 'o') => 'ó',
        ('\u{0301}', 'u') => 'ú',
        ('\u{0301}', 'y') => 'ý',
        // circumflex
        ('\u{0302}', 'A') => 'Â',
        ('\u{0302}', 'E') => 'Ê',
        ('\u{0302}', 'I') => 'Î',
        ('\u{0302}', 'O') => 'Ô',
        ('\u{0302}', 'U') => 'Û',
        ('\u{0302}', 'a') => 'â',
        ('\u{0302}', 'e') => 'ê',
        ('\u{0302}', 'i') => 'î',
        ('\u{0302}', 'o') => 'ô',
        ('\u{0302}', 'u') => 'û',
        // tilde
        ('\u{0303}', 'A') => 'Ã',
        ('\u{0303}', 'N') => 'Ñ',
        ('\u{0303}', 'O') => 'Õ',
        ('\u{0303}', 'a') => 'ã',
        ('\u{0303}', 'n') => 'ñ',
        ('\u{0303}', 'o') => 'õ',
        // diaeresis
        ('\u{0308}', 'A') => 'Ä',
        ('\u{0308}', 'E') => 'Ë',
        ('\u{0308}', 'I') => 'Ï',
        ('\u{0308}', 'O') => 'Ö',
        ('\u{0308}', 'U') => 'Ü',
        ('\u{0308}', 'Y') => 'Ÿ',
        ('\u{0308}', 'a') => 'ä',
        ('\u{0308}', 'e') => 'ë',
        ('\u{0308}', 'i') => 'ï',
        ('\u{0308}', 'o') => 'ö',
        ('\u{0308}', 'u') => 'ü',
        ('\u{0308}', 'y') => 'ÿ',
        // ring above
        ('\u{030A}', 'A') => 'Å',
        ('\u{030A}', 'a') => 'å',
        // caron
        ('\u{030C}', 'S') => 'Š',
        ('\u{030C}', 'Z') => 'Ž',
        ('\u{030C}', 's') => 'š',
        ('\u{030C}', 'z') => 'ž',
        // cedilla
        ('\u{0327}', 'C') => 'Ç',
        ('\u{0327}', 'c') => 'ç',
        _ => return None,
    };
    Some(composed)
}

#[rustfmt::skip]
static HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 350,
    556, 350, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
    350, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 350, 500, 667,
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

#[rustfmt::skip]
static HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 350,
    556, 350, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
    350, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 350, 500, 667,
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];
