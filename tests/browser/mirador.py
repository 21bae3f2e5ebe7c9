#!/usr/bin/env python3
"""Opens greenbook's IIIF manifest in Mirador 4 in headless Chromium (Debian `chromium` +
`chromium-driver`, through Selenium from PyPI). Called by tests/integration/iiif.rs.

  mirador.py OUTPUT_DIR MIRADOR_JS SCREENSHOT

Serves OUTPUT_DIR on 127.0.0.1 (a free port), with a viewer page and MIRADOR_JS added under iiif/
(the page's own copy: the output folder is not changed), opens iiif/manifest.json in Mirador, and
prints as JSON what the viewer shows: the canvases' labels (Mirador's index), the table of contents,
and the text of the annotations it lists for the first page. Saves a screenshot of the viewer.
"""
import functools
import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import time

from selenium.webdriver.common.by import By

import review

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>greenbook · Mirador</title>
<script src="mirador.min.js"></script>
<style>html, body { margin: 0; height: 100%; } #viewer { position: absolute; inset: 0; }</style>
</head><body><div id="viewer"></div>
<script>
window.errors = [];
window.addEventListener('error', e => window.errors.push(String(e.message)));
window.mirador = Mirador.viewer({
  id: 'viewer',
  windows: [{ id: 'w', manifestId: 'manifest.json', thumbnailNavigationPosition: 'far-bottom' }],
  window: { sideBarOpen: true, defaultSideBarPanel: 'canvas', panels: { annotations: true } },
  // The OCR lines are `supplementing` annotations; Mirador lists only commenting and tagging ones
  // unless told.
  annotations: { filteredMotivations: ['oa:commenting', 'oa:tagging', 'sc:painting', 'commenting',
                                       'tagging', 'supplementing'] },
  workspaceControlPanel: { enabled: false },
});
</script></body></html>
"""


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def serve(root):
    handler = functools.partial(QuietHandler, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def browser():
    return review.browser(size="1400,1000")


def wait_for(d, what, check, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        v = check()
        if v:
            return v
        time.sleep(0.25)
    errors = d.execute_script("return window.errors")
    log = [e["message"] for e in d.get_log("browser")]
    fail(f"timed out waiting for {what}; page errors {errors}; console {log[-10:]}")


def tab(d, label):
    """The sidebar's tab with this accessible name."""
    for t in d.find_elements(By.CSS_SELECTOR, "[role=tab]"):
        if t.get_attribute("aria-label") == label:
            return t
    fail(f"no '{label}' tab")


def state(d, script):
    return d.execute_script("const s = window.mirador.store.getState(); " + script)


def main(out, mirador_js, screenshot):
    site = tempfile.mkdtemp()
    try:
        # A copy of what a library would publish, plus the viewer page.
        for name in ["iiif", "alto"]:
            shutil.copytree(os.path.join(out, name), os.path.join(site, name))
        shutil.copy(os.path.join(out, "mets.xml"), site)
        shutil.copy(mirador_js, os.path.join(site, "iiif", "mirador.min.js"))
        with open(os.path.join(site, "iiif", "viewer.html"), "w", encoding="utf-8") as f:
            f.write(PAGE)
        server = serve(site)
        d = browser()
        try:
            d.get(f"http://127.0.0.1:{server.server_port}/iiif/viewer.html")
            wait_for(d, "the manifest", lambda: state(
                d, "const m = s.manifests['manifest.json']; return m && m.json && !m.isFetching;"))
            canvases = state(d, "return s.manifests['manifest.json'].json.items.length;")
            # The page painted: OpenSeadragon draws it into its canvas.
            wait_for(d, "the page image", lambda: d.execute_script(
                "const c = document.querySelector('.openseadragon-canvas canvas');"
                "return c && c.width > 0;"))
            # The index opens on the table of contents: the contents pages and the districts; a
            # district opens onto its cases.
            # Each level is waited for whole, by the manifest's own count of its ranges: the tree
            # renders its items over several frames, and a machine under load shows the first alone.
            def shown():
                return [e.text for e in d.find_elements(By.CSS_SELECTOR, "[role=treeitem]")
                        if e.text.strip()]
            def ranges(script):
                return state(d, "const st = s.manifests['manifest.json'].json.structures; " + script)
            top = ranges("const ids = new Set(st.flatMap(r => (r.items || [])"
                         ".filter(i => i.type === 'Range').map(i => i.id)));"
                         "return st.filter(r => !ids.has(r.id)).length;")
            toc = wait_for(d, "the table of contents", lambda: (lambda t: t if len(t) >= top
                                                                else None)(shown()))
            cases = ranges("const r = st.find(r => JSON.stringify(r.label).includes('浦东新区'));"
                           "return r ? (r.items || []).filter(i => i.type === 'Range').length : 0;")
            for node in d.find_elements(By.CSS_SELECTOR, "[role=treeitem]"):
                if "浦东新区" in node.text:
                    node.click()
                    break
            expanded = wait_for(d, "the district's cases", lambda: (
                lambda t: t if len(t) >= len(toc) + max(cases, 1) else None)(shown()))
            time.sleep(1)
            d.save_screenshot(screenshot)
            # The item list: each canvas with its label.
            tab(d, "Item list").click()
            items = wait_for(d, "the item list", lambda: [
                e.text for e in d.find_elements(By.CSS_SELECTOR, "[role=menuitem]") if e.text.strip()])
            # The annotations panel lists the OCR lines of the page shown.
            tab(d, "Annotations").click()
            wait_for(d, "the annotations panel", lambda: "Showing" in d.find_element(By.TAG_NAME, "body").text)
            annotations = wait_for(d, "the annotations", lambda: [
                e.text for e in d.find_elements(By.CSS_SELECTOR, "[role=menuitem]") if e.text.strip()])
            errors = d.execute_script("return window.errors")
            print(json.dumps({"canvases": canvases, "index": items, "toc": toc,
                              "toc_expanded": expanded, "annotations": annotations,
                              "errors": errors}, ensure_ascii=False))
        finally:
            d.quit()
            server.shutdown()
    finally:
        shutil.rmtree(site, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        fail(__doc__)
    main(*sys.argv[1:])
