/* Where the login cards wait between the import and the cards page: this tab's
 * sessionStorage only (gone when the tab closes), never the server, never localStorage. */

const key = (exam) => `admin.cards.${exam}`;

export function saveCards(exam, data) {
  try {
    window.sessionStorage.setItem(key(exam), JSON.stringify({ ...data, saved: Date.now() }));
    return true;
  } catch (_e) {
    return false;
  }
}

export function loadCards(exam) {
  try {
    const raw = window.sessionStorage.getItem(key(exam));
    return raw ? JSON.parse(raw) : null;
  } catch (_e) {
    return null;
  }
}

export function forgetCards(exam) {
  try {
    window.sessionStorage.removeItem(key(exam));
  } catch (_e) {
    /* storage off: nothing kept */
  }
}
