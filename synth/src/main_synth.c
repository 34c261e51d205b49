/* SPDX-License-Identifier: Apache-2.0 */
/* flexor-synth: the `flexor synth` subcommand as its own executable, so the synth tests and build
 * targets do not depend on every other part of the CLI building. */
int fx_cmd_synth(int argc, char **argv);

int main(int argc, char **argv)
{
    return fx_cmd_synth(argc, argv);
}
