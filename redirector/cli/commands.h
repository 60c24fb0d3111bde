#pragma once
// The subcommands of the redirector binary. Each takes the whole argv (argv[1] is the
// subcommand), prints errors on stderr, and returns the process exit code.

namespace redirector {

int ServeMain(int argc, char** argv);
int TailMain(int argc, char** argv);
int ClassifyMain(int argc, char** argv);
int LinksImportMain(int argc, char** argv);
int ReportMain(int argc, char** argv);
int ShipMain(int argc, char** argv);
int CheckConfigMain(int argc, char** argv);

}  // namespace redirector
