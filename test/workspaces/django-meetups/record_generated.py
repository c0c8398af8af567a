#!/usr/bin/env python3
"""Record one test of a django-meetups workspace in appmap-python's format.

    python3 record_generated.py [WORKSPACE]

WORKSPACE is a directory holding the Django project (manage.py, appmap.yml,
meetupsite/, meetups/); it defaults to the directory of this script, and
test/workspaces/django-meetups-fixed is the other one it is meant for.

This is NOT appmap-python. appmap-python (the AppMap agent for Python) cannot
be installed where these fixtures were made: PyPI is unreachable there. So
this script does the agent's job for this one test, as closely as it can:

* it runs the real Django app in-process, in a test database made the way
  Django's test runner makes it (in-memory SQLite, migrations applied);
* it runs the real test, meetups.tests.test_past_meetings.TestPastMeetings
  .test_lists_past_meetings, with unittest, and records only while the test
  method runs (setUpTestData, which seeds the 500 meetings, is not recorded,
  just as appmap-python's pytest integration records the test call only);
* while recording it writes the events appmap-python writes: an
  http_server_request / http_server_response pair from a middleware put first
  in settings.MIDDLEWARE, a call/return pair for every function of the
  packages listed in appmap.yml (less their `exclude`s) that runs, a
  call/return pair for every Template.render, and a sql_query call/return
  pair for every statement Django executes, with its parameters inlined by
  connection.ops.last_executed_query, as appmap-python's ExecuteWrapper does;
* values are described as appmap-python describes them when parameter
  display is off (APPMAP_DISPLAY_PARAMS is false by default in current
  appmap-python): "<module.Class object at 0x...>". That matters here:
  repr() of a QuerySet would run it (a LIMIT 21 query) and change what the
  recording shows.

The file is written to WORKSPACE/tmp/appmap/pytest/ with a name that ends in
".generated.appmap.json", and metadata.client names this script, so nobody
mistakes it for a recording made by appmap-python.

Event ids, nesting and SQL text are the same from run to run, except for the
timestamp of timezone.now() inlined in the meetings query; elapsed times and
object ids change, as they do with the real agent.
"""

import functools
import importlib
import inspect
import json
import os
import pkgutil
import platform
import re
import sys
import time
import types
import unittest

sys.dont_write_bytecode = True  # leave no __pycache__ in the fixture trees

TEST_MODULE = "meetups.tests.test_past_meetings"
TEST_CLASS = "TestPastMeetings"
TEST_METHOD = "test_lists_past_meetings"
OUTPUT = os.path.join("tmp", "appmap", "pytest", "test_past_meetings.generated.appmap.json")
CLIENT = {
    "name": "runlens-test-recorder",
    "url": "test/workspaces/django-meetups/record_generated.py",
    "note": "generated in appmap-python's format; not written by appmap-python",
}
THREAD_ID = 1


# --------------------------------------------------------------------------
# The recording


class Recording:
    def __init__(self):
        self.events = []
        self.next_id = 1
        self.active = False  # True only while the test method runs
        self.describing = False  # True while describing values: record nothing then
        self.functions = []  # (defined_class, fn, static) of recorded calls, for the classMap

    def enabled(self):
        return self.active and not self.describing

    def add(self, event):
        """Give `event` the next id and append it. Keys come in appmap-python's order:
        the event's own fields first, then id, event, thread_id."""
        event["id"] = self.next_id
        self.next_id += 1
        self.events.append(event)
        return event["id"]


REC = Recording()


def fqname(cls):
    return "%s.%s" % (cls.__module__, cls.__qualname__)


def display_string(value):
    # appmap-python's display_string with parameter display off.
    return "<%s object at %#02x>" % (fqname(type(value)), id(value))


def describe_value(value):
    ret = {"class": fqname(type(value)), "object_id": id(value), "value": display_string(value)}
    if type(value) in (list, dict):
        ret["size"] = len(value)
    return ret


def compact(d):
    return {k: v for k, v in d.items() if v is not None}


def root_relative(path):
    path = os.path.abspath(path)
    root = os.getcwd() + os.sep
    return path[len(root):] if path.startswith(root) else path


# --------------------------------------------------------------------------
# Functions of the configured packages


def param_kind(p):
    has_default = p.default is not inspect.Parameter.empty
    if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
        return "opt" if has_default else "req"
    if p.kind == p.VAR_POSITIONAL:
        return "rest"
    if p.kind == p.KEYWORD_ONLY:
        return "key" if has_default else "keyreq"
    return "keyrest"


def describe_params(params, args, kwargs):
    """appmap-python's CallEvent.set_params: pair each declared parameter with its value."""
    args = list(args)
    ret = []
    for p in params:
        kind = param_kind(p)
        if kind == "req":
            if p.name in kwargs:
                value = kwargs[p.name]
            elif args:
                value = args.pop(0)
            else:
                continue
        elif kind == "keyreq":
            if p.name not in kwargs:
                continue
            value = kwargs[p.name]
        elif kind in ("opt", "key"):
            if kind == "opt" and args:
                value = args.pop(0)
            else:
                value = kwargs.get(p.name, p.default)
        elif kind == "rest":
            value = tuple(args)
        else:
            value = kwargs
        entry = {"name": p.name, "kind": kind}
        entry.update(describe_value(value))
        ret.append(entry)
    return ret


def instrumented(fn, defined_class, static, has_receiver):
    params = list(inspect.signature(fn).parameters.values())
    path = root_relative(inspect.getsourcefile(fn))
    lineno = fn.__code__.co_firstlineno
    REC.functions.append((defined_class, fn, static))

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not REC.enabled():
            return fn(*args, **kwargs)
        REC.describing = True
        try:
            described = describe_params(params, args, kwargs)
        finally:
            REC.describing = False
        call = {"static": static}
        if has_receiver and described:
            call["receiver"] = described[0]
            described = described[1:]
        call["parameters"] = described
        call_id = REC.add(call)
        call.update({"event": "call", "thread_id": THREAD_ID})
        call.update({"defined_class": defined_class, "method_id": fn.__name__, "path": path, "lineno": lineno})
        start = time.perf_counter()
        try:
            ret = fn(*args, **kwargs)
        except Exception as exc:
            elapsed = time.perf_counter() - start
            REC.add({"exceptions": [{"class": fqname(type(exc)), "message": str(exc), "object_id": id(exc)}],
                     "parent_id": call_id, "elapsed": elapsed})
            REC.events[-1].update({"event": "return", "thread_id": THREAD_ID})
            raise
        elapsed = time.perf_counter() - start
        REC.describing = True
        try:
            return_value = describe_value(ret)
        finally:
            REC.describing = False
        REC.add({"return_value": return_value, "parent_id": call_id, "elapsed": elapsed})
        REC.events[-1].update({"event": "return", "thread_id": THREAD_ID})
        return ret

    return wrapper


def read_appmap_yml():
    """The `name` and the `packages` (path, exclude) of appmap.yml."""
    with open("appmap.yml", encoding="utf-8") as f:
        text = f.read()
    try:
        import yaml  # pylint: disable=import-outside-toplevel

        config = yaml.safe_load(text)
    except ImportError:  # a two-key subset is all this script needs
        config = {"name": re.search(r"^name:\s*(\S+)", text, re.M).group(1),
                  "packages": [{"path": p} for p in re.findall(r"^- path:\s*(\S+)", text, re.M)]}
    return config["name"], config.get("packages", [])


def instrument_packages(packages):
    """Wrap what appmap-python's Importer would: functions defined in the modules of the
    packages, and the methods defined in their classes, skipping names that start with
    "__" and anything defined elsewhere."""
    seen = set()
    for package in packages:
        excluded = tuple(package.get("exclude") or ())
        root = importlib.import_module(package["path"])
        names = [root.__name__]
        if hasattr(root, "__path__"):
            names += [m.name for m in pkgutil.walk_packages(root.__path__, root.__name__ + ".")]
        for name in names:
            if any(name == e or name.startswith(e + ".") for e in excluded):
                continue
            module = importlib.import_module(name)
            for key, value in list(vars(module).items()):
                if key.startswith("__"):
                    continue
                if isinstance(value, types.FunctionType) and value.__module__ == name:
                    setattr(module, key, instrumented(value, name, True, False))
                elif isinstance(value, type) and value.__module__ == name and value not in seen:
                    seen.add(value)
                    defined_class = fqname(value)
                    for attr, static_value in list(vars(value).items()):
                        if attr.startswith("__"):
                            continue
                        if isinstance(static_value, staticmethod):
                            fn = static_value.__func__
                            wrapped = staticmethod(instrumented(fn, defined_class, True, False))
                        elif isinstance(static_value, classmethod):
                            fn = static_value.__func__
                            wrapped = classmethod(instrumented(fn, defined_class, True, True))
                        elif isinstance(static_value, types.FunctionType):
                            fn = static_value
                            wrapped = instrumented(fn, defined_class, False, True)
                        else:
                            continue
                        if fn.__module__ == name:
                            setattr(value, attr, wrapped)


# --------------------------------------------------------------------------
# Django hooks: templates, SQL, HTTP


def patch_template_render():
    from django.template.base import Template  # pylint: disable=import-outside-toplevel

    original = Template.render

    @functools.wraps(original)
    def render(self, *args, **kwargs):
        if not REC.enabled():
            return original(self, *args, **kwargs)
        path = root_relative(self.origin.name)
        call = {"receiver": describe_value(self), "path": path}
        call_id = REC.add(call)
        call.update({"event": "call", "thread_id": THREAD_ID,
                     "defined_class": "<templates>.%s" % re.sub(r"\W", "", path.title()),
                     "method_id": "render", "static": False})
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            REC.add({"parent_id": call_id, "elapsed": time.perf_counter() - start})
            REC.events[-1].update({"event": "return", "thread_id": THREAD_ID})

    Template.render = render


def record_sql(execute, sql, params, many, context):
    """An execute wrapper (connection.execute_wrappers), like appmap-python's ExecuteWrapper."""
    if not REC.enabled():
        return execute(sql, params, many, context)
    start = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        elapsed = time.perf_counter() - start
        conn = context["connection"]
        if many:
            try:
                times = len(params)
            except TypeError:
                times = "?"
            text = "%s times %s" % (times, sql)
        else:
            text = conn.ops.last_executed_query(context["cursor"], sql, params)
        version = conn.Database.sqlite_version_info if conn.vendor == "sqlite" else None
        call_id = REC.add({"sql_query": compact({
            "sql": text,
            "database_type": conn.vendor,
            "server_version": ".".join(str(v) for v in version) if version else None,
        })})
        REC.events[-1].update({"event": "call", "thread_id": THREAD_ID})
        REC.add({"parent_id": call_id, "elapsed": elapsed})
        REC.events[-1].update({"event": "return", "thread_id": THREAD_ID})


def normalized_path_info(request):
    from django.urls import Resolver404, resolve  # pylint: disable=import-outside-toplevel

    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if not match.kwargs:
        return request.path_info
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", match.route)


class RequestRecorderMiddleware:
    """What appmap-python's Django middleware records, put first in settings.MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not REC.enabled():
            return self.get_response(request)
        start = time.perf_counter()
        headers = dict(request.headers)
        call = {"http_server_request": compact({
            "request_method": request.method,
            "protocol": request.META.get("SERVER_PROTOCOL"),
            "path_info": request.path_info,
            "normalized_path_info": normalized_path_info(request),
            "mime_type": headers.get("Content-Type"),
            "authorization": headers.get("Authorization"),
            "headers": headers or None,
        })}
        message = [dict({"name": k}, **describe_value(v if len(v) > 1 else v[0]))
                   for k, v in request.GET.lists()]
        if message:
            call["message"] = message
        call_id = REC.add(call)
        call.update({"event": "call", "thread_id": THREAD_ID})
        try:
            response = self.get_response(request)
        except Exception as exc:
            REC.add({"exceptions": [{"class": fqname(type(exc)), "message": str(exc), "object_id": id(exc)}],
                     "parent_id": call_id, "elapsed": time.perf_counter() - start})
            REC.events[-1].update({"event": "return", "thread_id": THREAD_ID})
            raise
        response_headers = dict(response.headers.items())
        REC.add({"http_server_response": compact({
            "status_code": response.status_code,
            "mime_type": response_headers.get("Content-Type"),
            "headers": response_headers or None,
        }), "parent_id": call_id, "elapsed": time.perf_counter() - start})
        REC.events[-1].update({"event": "return", "thread_id": THREAD_ID})
        return response


# --------------------------------------------------------------------------
# The AppMap document


def humanize(word):
    word = re.sub(r"_id$", "", word).replace("_", " ")
    word = re.sub(r"(?i)([a-z\d]*)", lambda m: m.group(1).lower(), word)
    return re.sub(r"^\w", lambda m: m.group(0).upper(), word)


def underscore(word):
    word = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", word)
    word = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", word)
    return word.replace("-", "_").lower()


def titleize(word):
    return re.sub(r"\b('?\w)", lambda m: m.group(1).capitalize(), humanize(underscore(word)).title())


def class_map():
    """appmap-python's generation.classmap: a package/class/function tree of the recorded
    function calls (template renders and SQL have no entry in what the agent writes)."""
    called = {(e["defined_class"], e["method_id"]) for e in REC.events if e.get("lineno")}
    roots = {}
    for defined_class, fn, static in REC.functions:
        if (defined_class, fn.__name__) not in called:
            continue
        *packages, cls = defined_class.split(".")
        children = roots
        for p in packages:
            children = children.setdefault(p, {"name": p, "type": "package", "children": {}})["children"]
        children = children.setdefault(cls, {"name": cls, "type": "class", "children": {}})["children"]
        entry = {"name": fn.__name__, "type": "function",
                 "location": "%s:%d" % (root_relative(inspect.getsourcefile(fn)), fn.__code__.co_firstlineno),
                 "static": static}
        comment = inspect.getdoc(fn) or inspect.getcomments(fn)
        if comment:
            entry["comment"] = comment
        children.setdefault(entry["location"], entry)

    def listify(nodes):
        return [dict(node, children=listify(node["children"])) if "children" in node else node
                for node in nodes.values()]

    return listify(roots)


def metadata(app_name, test_case, outcome):
    import django  # pylint: disable=import-outside-toplevel

    cls = type(test_case)
    method = getattr(cls, TEST_METHOD)
    # pytest's item.location: path relative to the rootdir and the 0-based line of the
    # test function; appmap-python writes it as is.
    location = "%s:%d" % (root_relative(inspect.getsourcefile(method)), method.__code__.co_firstlineno - 1)
    group = cls.__name__[4:] if cls.__name__.startswith("Test") else cls.__name__
    feature_group = humanize(titleize(group))
    feature = humanize(re.sub(r"^test.?_", "", TEST_METHOD))
    meta = {
        "language": {"name": "python", "engine": platform.python_implementation(),
                     "version": platform.python_version()},
        "client": CLIENT,
        "frameworks": [{"name": "Django", "version": django.get_version()}],
        "feature_group": feature_group,
        "recording": {"defined_class": fqname(cls), "method_id": TEST_METHOD, "source_location": location},
        "name": "%s %s%s" % (feature_group, feature[0].lower(), feature[1:]),
        "feature": feature,
        "app": app_name,
        "recorder": {"name": "pytest", "type": "tests"},
    }
    meta.update(outcome)
    return meta


# --------------------------------------------------------------------------


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    workspace = os.path.abspath(argv[1] if len(argv) > 1 else here)
    os.chdir(workspace)  # appmap-python writes paths relative to the project root
    sys.path.insert(0, workspace)
    os.environ["DJANGO_SETTINGS_MODULE"] = "meetupsite.settings"

    import django  # pylint: disable=import-outside-toplevel

    django.setup()
    from django.conf import settings  # pylint: disable=import-outside-toplevel
    from django.db import connection  # pylint: disable=import-outside-toplevel
    from django.test.utils import (  # pylint: disable=import-outside-toplevel
        setup_test_environment,
        teardown_test_environment,
    )

    app_name, packages = read_appmap_yml()
    instrument_packages(packages)
    patch_template_render()
    settings.MIDDLEWARE = [__name__ + ".RequestRecorderMiddleware"] + list(settings.MIDDLEWARE)

    setup_test_environment(debug=False)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    connection.execute_wrappers.append(record_sql)
    try:
        test_class = getattr(importlib.import_module(TEST_MODULE), TEST_CLASS)
        test_case = test_class(TEST_METHOD)
        test_method = getattr(test_case, TEST_METHOD)

        @functools.wraps(test_method)
        def recorded_test_method(*args, **kwargs):
            REC.active = True
            try:
                return test_method(*args, **kwargs)
            finally:
                REC.active = False

        setattr(test_case, TEST_METHOD, recorded_test_method)
        result = unittest.TestResult()
        unittest.TestSuite([test_case]).run(result)
    finally:
        connection.execute_wrappers.remove(record_sql)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    problems = result.errors + result.failures
    if problems:
        outcome = {"test_status": "failed",
                   "exception": {"class": "AssertionError" if result.failures else "Exception",
                                 "message": problems[0][1].strip().splitlines()[-1]}}
    else:
        outcome = {"test_status": "succeeded"}

    appmap = {
        "events": REC.events,
        "version": "1.9",
        "metadata": metadata(app_name, test_case, outcome),
        "classMap": class_map(),
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w", encoding="utf-8") as f:
        json.dump(appmap, f)
    print("%s: %d events, test %s" % (os.path.join(workspace, OUTPUT), len(REC.events), outcome["test_status"]))
    for _, trace in problems:
        print(trace, file=sys.stderr)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
