// Sorts the index page's tables: click a column's heading to sort by it, again to reverse. Cells carry their sort
// value in data-value (numbers for numeric columns, "" sorts last).
(function () {
  'use strict';
  // A slide whose file moved or changed has no thumbnail: its empty image goes.
  document.querySelectorAll('img.thumbnail').forEach(function (image) {
    if (image.complete && image.naturalWidth === 0) { image.remove(); }
    image.addEventListener('error', function () { image.remove(); });
  });
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var headings = table.querySelectorAll('thead th');
    headings.forEach(function (heading, column) {
      heading.addEventListener('click', function () {
        var ascending = heading.getAttribute('aria-sort') !== 'ascending';
        headings.forEach(function (other) { other.removeAttribute('aria-sort'); });
        heading.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var numeric = heading.dataset.type === 'number';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].dataset.value, y = b.cells[column].dataset.value;
          if (x === '' || y === '') { return (x === '') - (y === ''); }
          var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
