/* Searchable picker: enhances catalog/widgets.py's Picker (a text input of comma-separated slugs) into an
   ARIA combobox with a listbox of matches and one removable chip per choice. Each chip holds a hidden
   <input name=... value=slug>, so the form submits ?name=a&name=b, as the API reads it.
   No framework, no inline script or style (CSP): text goes in with textContent, never innerHTML. */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var counter = 0;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function enhance(box) {
    if (box.dataset.pickerReady) return;
    box.dataset.pickerReady = "true";
    var input = box.querySelector("input");
    if (!input) return;
    var name = input.name;
    var multiple = box.dataset.pickerMultiple === "true";
    var url = box.dataset.pickerUrl;
    var removeLabel = box.dataset.pickerRemove || "Remove";
    var chosen = [];
    try {
      chosen = JSON.parse(box.dataset.pickerChosen || "[]");
    } catch (error) {
      chosen = [];
    }

    var id = input.id || "picker-" + (++counter);
    var listId = id + "-listbox";
    var chips = element("ul", "picker-chips");
    var list = element("ul", "picker-list");
    list.id = listId;
    list.setAttribute("role", "listbox");
    if (multiple) list.setAttribute("aria-multiselectable", "true");
    list.hidden = true;
    var status = element("span", "visually-hidden");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    // The text input becomes the combobox: it no longer submits, the chips' hidden inputs do.
    input.removeAttribute("name");
    input.value = "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.placeholder = box.dataset.pickerPlaceholder || "";
    box.insertBefore(chips, input);
    box.appendChild(list);
    box.appendChild(status);

    var options = [];
    var active = -1;
    var timer = null;
    var request = 0;

    function values() {
      return chosen.map(function (item) { return item.value; });
    }

    function drawChips() {
      chips.textContent = "";
      chosen.forEach(function (item, index) {
        var chip = element("li", "picker-chip");
        chip.appendChild(element("span", "picker-chip-label", item.label));
        var remove = element("button", "picker-remove", "×");
        remove.type = "button";
        remove.setAttribute("aria-label", removeLabel + ": " + item.label);
        remove.addEventListener("click", function () {
          chosen.splice(index, 1);
          drawChips();
          input.focus();
        });
        chip.appendChild(remove);
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = name;
        hidden.value = item.value;
        chip.appendChild(hidden);
        chips.appendChild(chip);
      });
      chips.hidden = chosen.length === 0;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, position) {
        item.classList.toggle("picker-active", position === active);
      });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(item) {
      if (values().indexOf(item.value) === -1) {
        if (multiple) chosen.push(item);
        else chosen = [item];
      }
      drawChips();
      input.value = "";
      close();
      input.focus();
    }

    function drawOptions(found) {
      options = found;
      list.textContent = "";
      if (!found.length) {
        var none = element("li", "picker-none", box.dataset.pickerNone || "");
        none.setAttribute("aria-disabled", "true");
        list.appendChild(none);
      }
      var taken = values();
      found.forEach(function (item, index) {
        var option = element("li", "picker-option", item.label);
        option.id = listId + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", taken.indexOf(item.value) === -1 ? "false" : "true");
        // mousedown, not click: it runs before the input's blur closes the list.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(item);
        });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      status.textContent = found.length ? String(found.length) : box.dataset.pickerNone || "";
    }

    function search() {
      var q = input.value.trim();
      if (!q) {
        close();
        return;
      }
      var mine = ++request;
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (found) {
          if (mine === request && input.value.trim() === q) drawOptions(Array.isArray(found) ? found : []);
        })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && options.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) highlight(active + 1);
        else search();
      } else if (event.key === "ArrowUp") {
        if (open) {
          event.preventDefault();
          highlight(active - 1);
        }
      } else if (event.key === "Enter") {
        if (open) {
          event.preventDefault(); // choosing, not submitting the form
          choose(options[active >= 0 ? active : 0]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Backspace" && !input.value && chosen.length) {
        chosen.pop();
        drawChips();
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(close, 100);
    });

    drawChips();
  }

  function start() {
    document.querySelectorAll(".picker").forEach(enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
