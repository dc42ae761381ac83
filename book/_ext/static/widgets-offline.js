/* Loaded before the Jupyter widgets HTML manager on pages with widgets (see _config.yml,
 * nb_ipywidgets_js). Two fixes for rendering widgets offline with the book's MathJax 3:
 *
 * 1. The bundled widget modules locate their fonts relative to their AMD module URL; map the
 *    module names onto the local copy in _static/html-manager/dist (else they 404 under book/).
 * 2. Widget labels are typeset through the MathJax 2 call MathJax.Hub.Queue(["Typeset", ...]),
 *    which MathJax 3 does not have; provide it, forwarding to MathJax.typesetPromise.
 */
(function () {
  var dist = document.documentElement.dataset.content_root + "_static/html-manager/dist";
  require.config({
    paths: { "@jupyter-widgets/html-manager/dist": dist, "@jupyter-widgets": dist },
  });

  // MathJax 3 replaces window.MathJax when its (deferred) script runs, which is before
  // DOMContentLoaded; the widget manager renders on window "load", after this handler.
  document.addEventListener("DOMContentLoaded", function () {
    var mj = window.MathJax;
    if (!mj || mj.Hub || !mj.startup || !mj.typesetPromise) return;
    mj.Hub = {
      Queue: function () {
        var elements = [];
        for (var i = 0; i < arguments.length; i++) {
          var job = arguments[i];
          if (Array.isArray(job) && job[0] === "Typeset" && job[2]) elements.push(job[2]);
        }
        if (!elements.length) return;
        mj.startup.promise = mj.startup.promise.then(function () {
          return mj.typesetPromise(elements);
        });
      },
    };
  });
})();
