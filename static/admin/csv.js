/* A small CSV reader for the candidate lists the admin uploads (the server reads them too;
 * this copy only gives the login cards their names and the admin a count before upload).
 * Same rules as the server: delimiter `,` `;` or tab, whichever is most frequent in the
 * header line; an Excel `sep=;` first line; quoted cells ("" for a quote) may span lines;
 * header names ignore case, spaces and `-`; Indonesian aliases. */

const ALIASES = {
  participant_no: "participant_no",
  no_peserta: "participant_no",
  nomor_peserta: "participant_no",
  name: "name",
  nama: "name",
  category: "category",
  kategori: "category",
  extra_minutes: "extra_minutes",
  tambahan_menit: "extra_minutes",
  email: "email",
  password: "password",
  kata_sandi: "password",
};

function canonical(header) {
  const key = header.trim().toLowerCase().replace(/[\s-]+/g, "_");
  return ALIASES[key] || key;
}

function pickDelimiter(line) {
  const counts = [",", ";", "\t"].map((d) => [d, line.split(d).length - 1]);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : ",";
}

/** Split `text` into rows of cells with `delim`, honouring quotes. */
export function splitCsv(text, delim) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"' && cell === "") {
      quoted = true;
    } else if (c === delim) {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else {
      cell += c;
    }
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/**
 * Read a candidate CSV: {rows: [{participant_no, name, ...}], columns, error}.
 * `error` is set when the header lacks participant_no or name.
 */
export function parseCandidates(text) {
  let body = text.replace(/^\uFEFF/, "");
  let delim = null;
  const sep = /^sep=(.)\r?\n/i.exec(body);
  if (sep) {
    delim = sep[1];
    body = body.slice(sep[0].length);
  }
  const firstLine = body.split(/\r?\n/, 1)[0] || "";
  delim = delim || pickDelimiter(firstLine);
  const table = splitCsv(body, delim);
  if (!table.length) return { rows: [], columns: [], error: "empty" };
  const columns = table[0].map(canonical);
  const missing = ["participant_no", "name"].filter((c) => !columns.includes(c));
  const rows = [];
  for (const cells of table.slice(1)) {
    if (cells.every((c) => c.trim() === "")) continue;
    const row = {};
    columns.forEach((col, i) => {
      row[col] = (cells[i] ?? "").trim();
    });
    if (row.name) row.name = row.name.replace(/\s+/g, " ");
    rows.push(row);
  }
  return { rows, columns, delimiter: delim, error: missing.length ? "header" : null, missing };
}

/** One CSV line, quoting cells that need it; cells starting with = + - @ are made inert. */
export function csvLine(cells) {
  return cells.map((value) => {
    let s = String(value ?? "");
    if (/^[=+\-@]/.test(s)) s = `'${s}`;
    return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(",");
}
