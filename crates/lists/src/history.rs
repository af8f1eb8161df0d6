use chrono::NaiveDate;
use resolute_model::Entity;
use crate::ListVersion;
/// Several dated versions of one or more lists.
#[derive(Debug, Clone, Default)]
pub struct ListHistory {
    pub versions: Vec<ListVersion>,
}
impl ListHistory {
    pub fn designated_on(&self, _date: NaiveDate) -> Vec<&Entity> { Vec::new() }
}
