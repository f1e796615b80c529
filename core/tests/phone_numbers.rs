//! Numbers as clinicians write them, against libphonenumber's answers. Each row of
//! `data/phone_numbers.csv` is a number built from an example in libphonenumber's own metadata
//! (`resources/PhoneNumberMetadata.xml`, v9.0.33, the version the phone library ships), written in
//! a national, international, bracketed-trunk-prefix or dialling-prefix form, with the E.164 that
//! libphonenumber 9.0.33 (Java) gives for it; the row's last column names its source. The
//! `phonenumber` crate is patched for these (third_party/phonenumber/PATCHES.md).

use televisit_core::patients::phone::to_e164;

struct Row {
    input: String,
    region: String,
    expected: String,
}

fn rows() -> Vec<Row> {
    let text = include_str!("data/phone_numbers.csv");
    let mut reader = text.lines();
    assert_eq!(reader.next(), Some("input,default_region,expected_e164,source"));
    reader
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            // The first three cells never hold a comma; the source (quoted) may.
            let mut cells = line.splitn(4, ',');
            let mut next = || cells.next().expect("four cells").to_string();
            let row = Row { input: next(), region: next(), expected: next() };
            assert!(next().contains("PhoneNumberMetadata.xml"), "every row cites its source");
            row
        })
        .collect()
}

#[test]
fn every_number_in_the_table_normalises_as_libphonenumber_says() {
    let rows = rows();
    let regions: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.region.as_str()).collect();
    assert!(rows.len() >= 50 && regions.len() >= 15, "{} rows over {} regions", rows.len(), regions.len());
    let wrong: Vec<String> = rows
        .iter()
        .filter_map(|row| match to_e164(&row.input, &row.region) {
            Ok(e164) if e164 == row.expected => None,
            got => Some(format!("{} in {}: {:?}, want {}", row.input, row.region, got, row.expected)),
        })
        .collect();
    assert!(wrong.is_empty(), "{} of {} rows differ:\n{}", wrong.len(), rows.len(), wrong.join("\n"));
}

#[test]
fn a_country_code_wins_over_the_clinics_region() {
    // The cases of the report: an Italian number keeps its 0 whatever the clinic's region, and a
    // bracketed trunk prefix after a country code goes whatever the clinic's region.
    for region in ["GB", "FR", "DE", "IT", "US"] {
        assert_eq!(to_e164("+39 06 1234 5678", region).unwrap(), "+390612345678", "{region}");
        assert_eq!(to_e164("+44 (0)20 7946 0018", region).unwrap(), "+442079460018", "{region}");
        assert_eq!(to_e164("+33 (0)1 23 45 67 89", region).unwrap(), "+33123456789", "{region}");
        assert_eq!(to_e164("+49 1512 3456789", region).unwrap(), "+4915123456789", "{region}");
    }
}
