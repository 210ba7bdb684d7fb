// Progressive enhancement for the count progress page: asks for the progress every few seconds and
// updates the display in place, then reloads the page when the count ends so that its next steps show.
// Without scripts, the page's Refresh link does the same.
const box = document.getElementById('count-progress');

if (box?.dataset.progressUrl && box.dataset.finished !== 'true') {
  const bar = box.querySelector('progress');
  const text = box.querySelector('[data-count-text]');
  const status = box.querySelector('[data-count-status]');
  let failures = 0;

  const poll = async () => {
    try {
      const response = await fetch(box.dataset.progressUrl, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const progress = await response.json();
      failures = 0;
      if (bar) {
        bar.max = Math.max(1, progress.stepsTotal);
        bar.value = progress.stepsDone;
        bar.textContent = `${progress.percent}%`;
      }
      // Only touch the live region when the words change, so screen readers are not told the same thing again.
      if (text && text.textContent !== progress.progressText) text.textContent = progress.progressText;
      if (status && status.textContent !== progress.statusText) status.textContent = progress.statusText;
      if (progress.finished) {
        window.location.assign(box.dataset.pageUrl || window.location.href);
        return;
      }
    } catch {
      failures += 1;
      // Give up quietly after repeated failures: the Refresh link still works.
      if (failures >= 5) return;
    }
    window.setTimeout(poll, 2000);
  };

  window.setTimeout(poll, 2000);
}
