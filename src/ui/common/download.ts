// Saving data as a file download from the page: the one place that makes the temporary link.

/** Saves a blob as a file through a temporary link; the object URL is let go once the click has been handled. */
export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers; a tick later it has started.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Saves text as a file (see saveBlob). */
export function saveText(name: string, text: string, mime: string): void {
  saveBlob(name, new Blob([text], { type: mime }));
}
