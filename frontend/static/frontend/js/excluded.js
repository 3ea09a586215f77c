// Dispatch page: the table of qualified but excluded interpreters (with the rule that excludes
// each) is slower to build, so it is fetched once after the page has loaded.
import { fragment } from "./live.js";

const box = document.querySelector("[data-excluded]");
if (box && box.querySelector("[data-excluded-link]")) {
  fragment(box.dataset.excludedUrl).then((content) => {
    if (content) box.replaceChildren(content);
  });
}
