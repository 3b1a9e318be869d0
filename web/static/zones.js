// Time zones: the one the browser is set to, and the searchable list of the zones the server knows.
import { api } from './api.js';

export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

// Fills the <datalist> behind the zone fields from GET /api/v1/timezones the first time one of
// them is used: the list is 33 KB that most visitors never open. If it cannot be had, the fields
// still take a typed name, which the server checks (and names the field when it does not know it).
export function offerZoneList(datalist, inputs) {
  let loading = null;
  const load = () => {
    loading ??= api('/api/v1/timezones')
      .then(({ zones }) => {
        datalist.replaceChildren(
          ...zones.map(({ name, offset_now: offset }) => {
            const option = document.createElement('option');
            option.value = name;
            option.label = `UTC${offset}`;
            return option;
          }),
        );
      })
      .catch(() => {
        loading = null; // try again on the next focus
      });
  };
  for (const input of inputs) {
    input.addEventListener('focus', load);
    input.addEventListener('input', load);
  }
}
