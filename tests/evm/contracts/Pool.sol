// SPDX-License-Identifier: MIT
// A constant-product token/ETH pool for tests/cli/anvil_heist.sh, priced as a Uniswap V2 pair
// (0.3 % fee: out = in x 997 x reserveOut / (reserveIn x 1000 + in x 997)). A swap takes the
// trader's tokens with transferFrom (a Transfer log to the pool) and pays the ETH to `to` with an
// internal call, in the same transaction, as a router + pair do; it emits Swap and Sync as a pair
// does. Not a real AMM: no LP shares, no WETH, reserves kept in storage.
pragma solidity ^0.8.20;

interface IToken {
    function transferFrom(address from, address to, uint256 v) external returns (bool);
}

contract Pool {
    IToken public immutable token;
    uint256 public reserveToken;
    uint256 public reserveEth;

    event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out,
               uint256 amount1Out, address indexed to);
    event Sync(uint256 reserve0, uint256 reserve1);

    constructor(address t) {
        token = IToken(t);
    }

    function addLiquidity(uint256 amountToken) external payable {
        require(token.transferFrom(msg.sender, address(this), amountToken), "transferFrom");
        reserveToken += amountToken;
        reserveEth += msg.value;
        emit Sync(reserveToken, reserveEth);
    }

    function swapTokensForEth(uint256 amountIn, uint256 minOut, address payable to)
        external returns (uint256 out)
    {
        require(token.transferFrom(msg.sender, address(this), amountIn), "transferFrom");
        out = (amountIn * 997 * reserveEth) / (reserveToken * 1000 + amountIn * 997);
        require(out >= minOut, "slippage");
        reserveToken += amountIn;
        reserveEth -= out;
        (bool ok, ) = to.call{value: out}("");
        require(ok, "pay");
        emit Swap(msg.sender, amountIn, 0, 0, out, to);
        emit Sync(reserveToken, reserveEth);
    }
}
