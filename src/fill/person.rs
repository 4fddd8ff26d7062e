//! The fixed fields of a contact question (Open ePlatform's ContactDetailQuery) and of an
//! organisation question (OrganizationDetailQuery): which show, which are required, what
//! format each has and how it is labelled. One list, read by the validation, the review, the
//! paper and the window, so that none of them can disagree about a field.

use super::{ContactAnswer, OrganizationAnswer};
use crate::flow::{ContactDetailQuery, FieldMode, OrganizationDetailQuery};
use crate::ids::Format;

/// One field of a contact or organisation question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PersonField {
    /// The answer's key ("firstName").
    pub name: &'static str,
    /// The label's key in the message catalogue ("field-firstName").
    pub label: &'static str,
    pub mode: FieldMode,
    /// The value's format, checked as text fields' formats are.
    pub format: Option<Format>,
    /// The HTML autocomplete token, where one fits.
    pub autocomplete: Option<&'static str>,
}

const fn field(
    name: &'static str,
    label: &'static str,
    mode: FieldMode,
    format: Option<Format>,
    autocomplete: Option<&'static str>,
) -> PersonField {
    PersonField {
        name,
        label,
        mode,
        format,
        autocomplete,
    }
}

/// A person's fields, in the order the form shows them.
pub fn contact_fields(q: &ContactDetailQuery) -> [PersonField; 10] {
    use Format::*;
    [
        field(
            "citizenId",
            "field-citizenId",
            q.field_citizen_id,
            Some(Personnummer),
            None,
        ),
        field(
            "firstName",
            "field-firstName",
            q.field_name,
            None,
            Some("given-name"),
        ),
        field(
            "lastName",
            "field-lastName",
            q.field_name,
            None,
            Some("family-name"),
        ),
        field("careOf", "field-careOf", q.field_care_of, None, None),
        field(
            "address",
            "field-address",
            q.field_address,
            None,
            Some("street-address"),
        ),
        field(
            "zipCode",
            "field-zipCode",
            q.field_address,
            Some(PostalCode),
            Some("postal-code"),
        ),
        field(
            "postalAddress",
            "field-postalAddress",
            q.field_address,
            None,
            Some("address-level2"),
        ),
        field(
            "phone",
            "field-phone",
            q.field_phone,
            Some(Phone),
            Some("tel"),
        ),
        field(
            "mobilePhone",
            "field-mobilePhone",
            q.field_mobile_phone,
            Some(Phone),
            Some("tel"),
        ),
        field(
            "email",
            "field-email",
            q.field_email,
            Some(Email),
            Some("email"),
        ),
    ]
}

/// An organisation's fields and its contact person's, in the order the form shows them.
pub fn organization_fields(q: &OrganizationDetailQuery) -> [PersonField; 10] {
    use FieldMode::Required;
    use Format::*;
    [
        field("name", "field-name", Required, None, Some("organization")),
        field(
            "organizationNumber",
            "field-organizationNumber",
            Required,
            Some(PersonOrOrganisationsnummer),
            None,
        ),
        field(
            "address",
            "field-address",
            q.field_address,
            None,
            Some("street-address"),
        ),
        field(
            "zipCode",
            "field-zipCode",
            q.field_address,
            q.validate_zip_code.then_some(PostalCode),
            Some("postal-code"),
        ),
        field(
            "postalAddress",
            "field-postalAddress",
            q.field_address,
            None,
            Some("address-level2"),
        ),
        field(
            "firstName",
            "field-contactFirstName",
            Required,
            None,
            Some("given-name"),
        ),
        field(
            "lastName",
            "field-contactLastName",
            Required,
            None,
            Some("family-name"),
        ),
        field(
            "phone",
            "field-phone",
            q.field_phone,
            Some(Phone),
            Some("tel"),
        ),
        field(
            "mobilePhone",
            "field-mobilePhone",
            q.field_mobile_phone,
            Some(Phone),
            Some("tel"),
        ),
        field(
            "email",
            "field-email",
            q.field_email,
            Some(Email),
            Some("email"),
        ),
    ]
}

impl ContactAnswer {
    /// The value of field `name` (see [`contact_fields`]); `None` for a name it lacks.
    pub fn value(&self, name: &str) -> Option<&Option<String>> {
        Some(match name {
            "citizenId" => &self.citizen_id,
            "firstName" => &self.first_name,
            "lastName" => &self.last_name,
            "careOf" => &self.care_of,
            "address" => &self.address,
            "zipCode" => &self.zip_code,
            "postalAddress" => &self.postal_address,
            "phone" => &self.phone,
            "mobilePhone" => &self.mobile_phone,
            "email" => &self.email,
            _ => return None,
        })
    }

    /// Sets field `name`; whether it has one.
    pub fn set(&mut self, name: &str, value: &str) -> bool {
        let slot = match name {
            "citizenId" => &mut self.citizen_id,
            "firstName" => &mut self.first_name,
            "lastName" => &mut self.last_name,
            "careOf" => &mut self.care_of,
            "address" => &mut self.address,
            "zipCode" => &mut self.zip_code,
            "postalAddress" => &mut self.postal_address,
            "phone" => &mut self.phone,
            "mobilePhone" => &mut self.mobile_phone,
            "email" => &mut self.email,
            _ => return false,
        };
        *slot = Some(value.to_string());
        true
    }
}

impl OrganizationAnswer {
    /// The value of field `name` (see [`organization_fields`]); `None` for a name it lacks.
    pub fn value(&self, name: &str) -> Option<&Option<String>> {
        Some(match name {
            "name" => &self.name,
            "organizationNumber" => &self.organization_number,
            "address" => &self.address,
            "zipCode" => &self.zip_code,
            "postalAddress" => &self.postal_address,
            "firstName" => &self.first_name,
            "lastName" => &self.last_name,
            "phone" => &self.phone,
            "mobilePhone" => &self.mobile_phone,
            "email" => &self.email,
            _ => return None,
        })
    }

    /// Sets field `name`; whether it has one.
    pub fn set(&mut self, name: &str, value: &str) -> bool {
        let slot = match name {
            "name" => &mut self.name,
            "organizationNumber" => &mut self.organization_number,
            "address" => &mut self.address,
            "zipCode" => &mut self.zip_code,
            "postalAddress" => &mut self.postal_address,
            "firstName" => &mut self.first_name,
            "lastName" => &mut self.last_name,
            "phone" => &mut self.phone,
            "mobilePhone" => &mut self.mobile_phone,
            "email" => &mut self.email,
            _ => return false,
        };
        *slot = Some(value.to_string());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_reads_its_own_value_and_has_a_label() {
        let q = ContactDetailQuery::default();
        let a = ContactAnswer {
            zip_code: Some("711 30".into()),
            ..Default::default()
        };
        for f in contact_fields(&q) {
            assert!(a.value(f.name).is_some(), "{}", f.name);
            let label = crate::i18n::text(crate::fill::Lang::Sv, f.label, &[]);
            assert_ne!(label, f.label, "{} has no label", f.name);
        }
        assert_eq!(a.value("zipCode"), Some(&Some("711 30".to_string())));
        let o = OrganizationDetailQuery::default();
        for f in organization_fields(&o) {
            assert!(
                OrganizationAnswer::default().value(f.name).is_some(),
                "{}",
                f.name
            );
        }
    }
}
