import type { FieldMode, Query } from '../../lib/api';

/// Which fields a contact or organisation question shows, and whether each is required, from
/// the flow's field modes (OeP's ContactDetailQuery and OrganizationDetailQuery).
export interface PersonField {
  name: string;
  mode: FieldMode;
  type: string;
  autocomplete: string;
}

export function contactFields(q: Query): PersonField[] {
  const m = (k: string, d: FieldMode) => ((q[k] as FieldMode | undefined) ?? d);
  const name = m('fieldName', 'REQUIRED');
  const address = m('fieldAddress', 'VISIBLE');
  return [
    { name: 'citizenId', mode: m('fieldCitizenId', 'HIDDEN'), type: 'text', autocomplete: 'off' },
    { name: 'firstName', mode: name, type: 'text', autocomplete: 'given-name' },
    { name: 'lastName', mode: name, type: 'text', autocomplete: 'family-name' },
    { name: 'careOf', mode: m('fieldCareOf', 'HIDDEN'), type: 'text', autocomplete: 'off' },
    { name: 'address', mode: address, type: 'text', autocomplete: 'street-address' },
    { name: 'zipCode', mode: address, type: 'text', autocomplete: 'postal-code' },
    { name: 'postalAddress', mode: address, type: 'text', autocomplete: 'address-level2' },
    { name: 'phone', mode: m('fieldPhone', 'VISIBLE'), type: 'tel', autocomplete: 'tel' },
    { name: 'mobilePhone', mode: m('fieldMobilePhone', 'VISIBLE'), type: 'tel', autocomplete: 'tel' },
    { name: 'email', mode: m('fieldEmail', 'VISIBLE'), type: 'email', autocomplete: 'email' },
  ].filter((f) => f.mode !== 'HIDDEN') as PersonField[];
}

export function organizationFields(q: Query): PersonField[] {
  const m = (k: string, d: FieldMode) => ((q[k] as FieldMode | undefined) ?? d);
  const address = m('fieldAddress', 'VISIBLE');
  return [
    { name: 'name', mode: 'REQUIRED', type: 'text', autocomplete: 'organization' },
    { name: 'organizationNumber', mode: 'REQUIRED', type: 'text', autocomplete: 'off' },
    { name: 'address', mode: address, type: 'text', autocomplete: 'street-address' },
    { name: 'zipCode', mode: address, type: 'text', autocomplete: 'postal-code' },
    { name: 'postalAddress', mode: address, type: 'text', autocomplete: 'address-level2' },
    { name: 'firstName', mode: 'REQUIRED', type: 'text', autocomplete: 'given-name' },
    { name: 'lastName', mode: 'REQUIRED', type: 'text', autocomplete: 'family-name' },
    { name: 'phone', mode: m('fieldPhone', 'VISIBLE'), type: 'tel', autocomplete: 'tel' },
    { name: 'mobilePhone', mode: m('fieldMobilePhone', 'VISIBLE'), type: 'tel', autocomplete: 'tel' },
    { name: 'email', mode: m('fieldEmail', 'REQUIRED'), type: 'email', autocomplete: 'email' },
  ].filter((f) => f.mode !== 'HIDDEN') as PersonField[];
}
