//! A nation's catalogue for the search benchmarks: `sites` municipalities × 150 e-services
//! (names and descriptions from Sundsvall's real catalogue, shifted per site), shared by the
//! search benchmark and the desktop's in-window benchmark.

use etjanst::catalogue::flowinfo;
use etjanst::catalogue::index::{Index, SiteData};

const SUNDSVALL: &[u8] =
    include_bytes!("../../tests/fixtures/oep/catalogue-getflows-sundsvall.json");

/// Stores the sites into `index`; returns the number of rows.
pub fn fill(index: &mut Index, sites: usize) -> usize {
    let services = flowinfo::parse(SUNDSVALL, None, "https://e-tjanster.sundsvall.se")
        .unwrap()
        .services;
    for site in 0..sites {
        let mut list: Vec<_> = services
            .iter()
            .cycle()
            .skip(site % 11)
            .take(150)
            .cloned()
            .collect();
        for (i, s) in list.iter_mut().enumerate() {
            s.flow_id = (site * 1000 + i) as i64;
        }
        let data = SiteData {
            name: format!("Kommun {site}"),
            services: list,
            ..Default::default()
        };
        index
            .replace_site(&format!("https://kommun{site}.example.se"), &data)
            .unwrap();
    }
    sites * 150
}
